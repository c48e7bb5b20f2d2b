//! Loaders: account authorization dumps, managed-policy files, the organization manifest,
//! IAMSpy fixtures.
//!
//! | input | function | result |
//! | --- | --- | --- |
//! | `aws iam get-account-authorization-details` output | [`load_authorization_details`] | [`AccountDump`] (attachments not yet resolved) |
//! | managed policies, JSON Lines or a JSON array of `{"name","arn","path","version","document"}` | [`PolicyCatalog::parse`], [`PolicyCatalog::read`] | [`PolicyCatalog`] |
//! | several dumps + a catalog | [`organization_from_dumps`] | [`Organization`] of standalone accounts |
//! | the organization manifest (`docs/org-manifest.md`) | [`load_manifest`] | [`Organization`] |
//! | IAMSpy test fixtures | [`load_iamspy`], [`load_resource_list`], [`load_org_tree`] | [`Organization`] |
//!
//! Every loader reports *all* the problems it finds, each with the file, the JSON path inside
//! it and the line and column ([`LoadError`], [`Problem`]), and never panics. Warnings (lenient
//! policy lints, ignored fields, quirks read anyway, dropped attachments) come back beside the
//! value ([`Loaded`]).
//!
//! [`Organization`]: crate::org::Organization

mod authz;
mod catalog;
mod error;
mod iamspy;
mod manifest;
pub(crate) use manifest::{derived_id, policy_path_of_arn};
mod reader;
mod resolve;

pub use authz::{
    AccountDump, Attachment, DEFAULT_MAX_SESSION_DURATION, Holder, load_authorization_details,
};
pub use catalog::PolicyCatalog;
pub use error::{LoadError, Loaded, Problem, ProblemKind};
pub use iamspy::{IamspyFiles, OrgTree, load_iamspy, load_org_tree, load_resource_list};
pub use manifest::{
    FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS, load_manifest, load_manifest_text,
    load_manifest_with_warnings,
};
pub use resolve::organization_from_dumps;

use crate::json::ParseMode;
use std::io::Read as _;

/// The largest input file (or in-memory text) the loaders read: 64 MiB.
///
/// It bounds the time and memory one input can cost: the JSON parser builds a tree of the
/// whole text, several times its size. The largest published authorization dumps are a few
/// MiB; an account that needs more can be split per account. A larger input is refused with
/// a [`ProblemKind::TooLarge`] error before it is read (for a file, before a byte of it is read).
pub const MAX_FILE_BYTES: usize = 64 << 20;

/// The [`ProblemKind::TooLarge`] problem for an input of `size` bytes.
pub(crate) fn too_large(file: &str, what: &str, size: u64) -> Problem {
    Problem::error(
        ProblemKind::TooLarge,
        file,
        "",
        None,
        format!(
            "{what} is {size} bytes; Gavel reads inputs of at most {MAX_FILE_BYTES} bytes (64 MiB)"
        ),
    )
    .with_help("split it (one dump per account, one file per policy)")
}

/// Reads a file as UTF-8 text within [`MAX_FILE_BYTES`]. Refuses anything but a regular file
/// (a FIFO would block, a device such as `/dev/zero` never ends) without opening it. On
/// failure returns the problem kind and the rest of a sentence starting "the file `x` ...".
pub(crate) fn read_limited(path: &std::path::Path) -> Result<String, (ProblemKind, String)> {
    let io = |e: std::io::Error| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "does not exist".to_string(),
            std::io::ErrorKind::InvalidData => "is not UTF-8 text".to_string(),
            _ => format!("cannot be read: {e}"),
        };
        (ProblemKind::Io, why)
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err((ProblemKind::Io, "is not a regular file".to_string()));
    }
    let too_big = |size: u64| {
        (
            ProblemKind::TooLarge,
            format!(
                "is {size} bytes; Gavel reads files of at most {MAX_FILE_BYTES} bytes (64 MiB)"
            ),
        )
    };
    let limit = u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX);
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    // The file may grow between the check and the read: read one byte past the limit at most.
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit.saturating_add(1)).read_to_string(&mut text))
        .map_err(io)?;
    if text.len() > MAX_FILE_BYTES {
        return Err(too_big(u64::try_from(text.len()).unwrap_or(u64::MAX)));
    }
    Ok(text)
}

/// What to do with a managed-policy attachment whose policy is defined nowhere (neither in
/// the account's own policies nor in any managed-policy file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissingPolicy {
    /// Report an error naming the policy ARN and who attaches it (the default).
    #[default]
    Error,
    /// Drop the attachment and warn. The principal then loses what the policy allowed **and
    /// what it denied**: when the missing policy has `Deny` statements the loaded account is
    /// more permissive than the real one. Use it only for policies known to hold allows only
    /// (typically deprecated AWS managed policies a dump still names). A missing permissions
    /// boundary is an error whatever this says, since dropping a boundary always widens
    /// permissions.
    Drop,
}

/// Options of the loaders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    /// Attachments that resolve nowhere.
    pub missing_policy: MissingPolicy,
    /// How policy documents written in (or next to) a manifest are read: SCPs, RCPs, resource
    /// policies, inline accounts. Dumps, managed-policy files and IAMSpy fixtures are AWS
    /// output (AWS accepted them already) and are always read in [`ParseMode::Lenient`].
    pub mode: ParseMode,
}

impl Default for LoadOptions {
    /// Unknown attachments are errors; documents are read leniently (spec §2.5: every lenient
    /// meaning is fail-closed), with the lints kept as warnings.
    fn default() -> LoadOptions {
        LoadOptions {
            missing_policy: MissingPolicy::Error,
            mode: ParseMode::Lenient,
        }
    }
}

/// Where `load_for_cli` looks for AWS managed policies when a dump attaches some and none
/// were named: `$GAVEL_AWS_MANAGED_POLICIES`, then the shared corpus beside the checkout.
fn default_catalogs() -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(p) = std::env::var("GAVEL_AWS_MANAGED_POLICIES") {
        out.push(std::path::PathBuf::from(p));
    }
    for candidate in [
        "../shared/corpus/aws-managed-policies.jsonl",
        "shared/corpus/aws-managed-policies.jsonl",
    ] {
        let p = std::path::PathBuf::from(candidate);
        if p.is_file() {
            out.push(p);
        }
    }
    out
}

/// True when the JSON text looks like `aws iam get-account-authorization-details` output.
fn is_authorization_dump(text: &str) -> bool {
    [
        "\"UserDetailList\"",
        "\"RoleDetailList\"",
        "\"GroupDetailList\"",
    ]
    .iter()
    .any(|k| text.contains(k))
        && !text.contains("\"accounts\"")
}

/// Loads an organization for the command line: a manifest, or a single account's
/// authorization dump (a standalone account outside any organization). Managed policies the
/// dump attaches but does not contain resolve against `catalogs` (JSON Lines like the AWS
/// managed policy corpus); with none given, the default places are tried. Warnings go to
/// stderr; errors come back rendered.
pub fn load_for_cli_with(
    path: &std::path::Path,
    catalogs: &[std::path::PathBuf],
) -> Result<crate::org::Organization, String> {
    let text =
        read_limited(path).map_err(|(_, why)| format!("the file `{}` {why}", path.display()))?;
    let options = LoadOptions::default();
    let loaded = if is_authorization_dump(&text) {
        let file = path.display().to_string();
        let dump = load_authorization_details(&text, &file, None).map_err(|e| e.to_string())?;
        let mut catalog = PolicyCatalog::new();
        let mut names = Vec::new();
        let sources = if catalogs.is_empty() {
            default_catalogs()
        } else {
            catalogs.to_vec()
        };
        for c in &sources {
            let loaded = PolicyCatalog::read(c).map_err(|e| e.to_string())?;
            catalog.merge(loaded.value);
            names.push(c.display().to_string());
            if catalogs.is_empty() {
                eprintln!("note: AWS managed policies from `{}`", c.display());
            }
        }
        organization_from_dumps(vec![dump], &catalog, &names, &options).map_err(|e| {
            let mut m = e.to_string();
            if sources.is_empty() {
                m.push_str("\nhelp: name the AWS managed policies with `--managed-policies aws-managed-policies.jsonl`");
            }
            m
        })?
    } else if path.extension().is_some_and(|e| e == "gavel") {
        crate::text::load_org_file(path, &options)?
    } else {
        load_manifest_with_warnings(path, &options).map_err(|e| e.to_string())?
    };
    for w in &loaded.warnings {
        eprintln!("{w}");
    }
    Ok(loaded.value)
}

/// Loads an organization manifest for the command line, printing the loader's warnings to
/// stderr; errors come back rendered.
pub fn load_for_cli(path: &std::path::Path) -> Result<crate::org::Organization, String> {
    load_for_cli_with(path, &[])
}
