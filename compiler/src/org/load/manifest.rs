//! The organization manifest: Gavel's own JSON file that names the organization, its OU tree
//! with SCP and RCP attachments, the accounts (each from an authorization-details dump or
//! written inline), extra managed-policy files, and resources with resource-based policies.
//! The format is documented in `docs/org-manifest.md`.
//!
//! Relative paths are resolved against the manifest's folder. Every reference is checked and
//! every problem is reported at once, each with its file and JSON path.

use super::authz::{
    AccountDump, Attachment, Holder, arn_account, is_account_id, load_authorization_details,
};
use super::catalog::PolicyCatalog;
use super::error::{LoadError, Loaded, Problem, ProblemKind, Sink};
use super::reader::{JsonPath, Reader, kind};
use super::resolve::Resolver;
use super::{DEFAULT_MAX_SESSION_DURATION, LoadOptions};
use crate::json::{self, ParseMode};
use crate::model::{Policy, PolicyType};
use crate::org::model::{
    Account, Group, InlinePolicy, ManagedPolicy, OrgPolicy, OrgUnit, Organization, Resource, Role,
    Tags, User,
};
use jsonc_parser::ast::{Object, Value};
use jsonc_parser::common::Ranged;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The AWS managed SCP that allows everything. It is predefined in every manifest, and must be
/// attached explicitly wherever it applies (AWS attaches it by default; the manifest says so).
pub const FULL_AWS_ACCESS: &str = "FullAWSAccess";

/// The AWS managed RCP that allows everything. It is implicitly attached at every level (AWS
/// does not allow detaching it), so manifests need not name it.
pub const RCP_FULL_AWS_ACCESS: &str = "RCPFullAWSAccess";

/// The value of the optional `format` field.
const FORMAT: &str = "gavel-org-manifest/1";

/// Keys every object of the manifest may carry besides its own: free text for people.
const NOTE_KEYS: [&str; 2] = ["description", "comment"];

/// Reads an organization manifest and everything it references (see `docs/org-manifest.md`).
///
/// Warnings (lenient policy lints, dropped attachments, unused SCPs, …) are discarded; use
/// [`load_manifest_with_warnings`] to see them.
pub fn load_manifest(path: &Path, options: &LoadOptions) -> Result<Organization, LoadError> {
    load_manifest_with_warnings(path, options).map(|l| l.value)
}

/// [`load_manifest`], keeping the warnings.
pub fn load_manifest_with_warnings(
    path: &Path,
    options: &LoadOptions,
) -> Result<Loaded<Organization>, LoadError> {
    let file = path.display().to_string();
    let text = super::read_limited(path).map_err(|(kind, why)| {
        LoadError::single(Problem::error(
            kind,
            file.clone(),
            "",
            None,
            format!("the manifest {why}"),
        ))
    })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    load_manifest_text(&text, &file, &base, options)
}

/// [`load_manifest_with_warnings`] for a manifest already in memory: `file` names it in
/// problems, and relative paths are resolved against `base`.
pub fn load_manifest_text(
    text: &str,
    file: &str,
    base: &Path,
    options: &LoadOptions,
) -> Result<Loaded<Organization>, LoadError> {
    if text.len() > super::MAX_FILE_BYTES {
        let size = u64::try_from(text.len()).unwrap_or(u64::MAX);
        return Err(LoadError::single(super::too_large(
            file,
            "the manifest",
            size,
        )));
    }
    let base = base.to_path_buf();
    let file = file.to_string();
    let mut sink = Sink::default();
    let r = Reader::new(file, text, options.mode);
    let Some(root) = r.parse(&mut sink, "the manifest") else {
        return Err(LoadError::new(sink.problems));
    };
    let mut m = Manifest {
        r: &r,
        base,
        options,
        sink,
        org: Organization::default(),
        units_by_ref: HashMap::new(),
        in_org: false,
        catalog: PolicyCatalog::new(),
        catalog_files: Vec::new(),
        defined: BTreeMap::new(),
        accounts: Vec::new(),
    };
    m.read(&root);
    let Manifest { sink, org, .. } = m;
    sink.finish(org)
}

/// An account as read, before attachments are resolved.
struct PendingAccount {
    account: Account,
    own: BTreeMap<String, ManagedPolicy>,
    attachments: Vec<Attachment>,
    source: String,
}

struct Manifest<'r, 't> {
    r: &'r Reader<'t>,
    base: PathBuf,
    options: &'r LoadOptions,
    sink: Sink,
    org: Organization,
    /// Unit name or id -> unit id (the root under its name and id too).
    units_by_ref: HashMap<String, String>,
    /// True when the manifest has an `organization`.
    in_org: bool,
    catalog: PolicyCatalog,
    catalog_files: Vec<String>,
    /// Managed policies written in `managed_policies` itself (by ARN): always in the
    /// organization, like a dump's own policies.
    defined: BTreeMap<String, ManagedPolicy>,
    accounts: Vec<PendingAccount>,
}

/// Where a value was, for problems raised after reading.
#[derive(Clone)]
struct Site {
    path: JsonPath,
    at: usize,
}

/// An OU as read: its id, where it was, and its `parent` reference with where that was.
type UnitSite = (String, Site, Option<(String, Site)>);

impl<'t> Manifest<'_, 't> {
    fn err(&mut self, kind: ProblemKind, path: &JsonPath, at: usize, msg: impl Into<String>) {
        let p = self.r.error(kind, path, Some(at), msg);
        self.sink.push(p);
    }

    fn err_help(
        &mut self,
        kind: ProblemKind,
        path: &JsonPath,
        at: usize,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        let p = self.r.error(kind, path, Some(at), msg).with_help(help);
        self.sink.push(p);
    }

    /// Reports keys of `obj` that are not in `known` (notes and `_`-prefixed keys are free).
    fn check_keys(&mut self, obj: &Object<'t>, known: &[&str], path: &JsonPath) {
        for prop in &obj.properties {
            let name = prop.name.as_str();
            if known.contains(&name) || NOTE_KEYS.contains(&name) || name.starts_with('_') {
                continue;
            }
            let near = known.iter().find(|k| {
                k.eq_ignore_ascii_case(name) || k.replace('_', "") == name.to_lowercase()
            });
            let help = match near {
                Some(k) => format!("did you mean `{k}`?"),
                None => format!(
                    "the keys allowed here are {}; prefix a key with `_` to keep a note",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            self.err_help(
                ProblemKind::Shape,
                &path.key(name),
                prop.range.start,
                format!("unknown key `{name}`"),
                help,
            );
        }
    }

    fn read(&mut self, root: &Value<'t>) {
        let top = JsonPath::root();
        let Some(obj) = self.r.object(&mut self.sink, root, &top, "the manifest") else {
            return;
        };
        self.check_keys(
            obj,
            &[
                "format",
                "organization",
                "managed_policies",
                "accounts",
                "resources",
            ],
            &top,
        );
        if let Some(p) = obj.get("format")
            && let Some(f) = self.r.string(&mut self.sink, &p.value, &top.key("format"))
            && f != FORMAT
        {
            self.err_help(
                ProblemKind::InvalidValue,
                &top.key("format"),
                p.value.range().start,
                format!("unknown manifest format `{f}`"),
                format!("this version of Gavel reads `{FORMAT}`"),
            );
        }
        let mut unit_sites = Vec::new();
        let mut mgmt = None;
        if let Some(p) = obj.get("organization") {
            self.in_org = true;
            let path = top.key("organization");
            if let Some(o) = self
                .r
                .object(&mut self.sink, &p.value, &path, "`organization`")
            {
                mgmt = self.organization(o, &path, &mut unit_sites);
            }
        }
        for (path, v) in self
            .r
            .opt_list(&mut self.sink, obj, "managed_policies", &top)
        {
            if matches!(v, Value::Object(_)) {
                self.defined_policy(v, &path);
            } else {
                self.catalog_file(v, &path);
            }
        }
        let mut account_sites: Vec<(String, Site)> = Vec::new();
        for (path, v) in self.r.opt_list(&mut self.sink, obj, "accounts", &top) {
            if let Some(id) = self.account(v, &path, &account_sites) {
                account_sites.push((
                    id,
                    Site {
                        path,
                        at: v.range().start,
                    },
                ));
            }
        }
        self.check_tree(&unit_sites);
        if let Some((id, site)) = mgmt {
            match self.accounts.iter().find(|a| a.account.id == id) {
                None => self.err_help(
                    ProblemKind::UnknownAccount,
                    &site.path,
                    site.at,
                    format!("the management account `{id}` is not among `accounts`"),
                    "list it in `accounts` with `\"parent\"` set to the root or an OU",
                ),
                Some(a) if a.account.parent.is_none() => self.err(
                    ProblemKind::InvalidValue,
                    &site.path,
                    site.at,
                    format!("the management account `{id}` is marked as outside the organization"),
                ),
                Some(_) => self.org.management_account = Some(id),
            }
        }
        self.warn_unused_org_policies();
        self.resolve_accounts();
        for (path, v) in self.r.opt_list(&mut self.sink, obj, "resources", &top) {
            self.resource(v, &path);
        }
    }

    // ----- organization -----

    fn organization(
        &mut self,
        o: &Object<'t>,
        path: &JsonPath,
        unit_sites: &mut Vec<UnitSite>,
    ) -> Option<(String, Site)> {
        self.check_keys(
            o,
            &["id", "management_account", "root", "units", "scps", "rcps"],
            path,
        );
        if let Some(id) = self.r.req_string(&mut self.sink, o, "id", path) {
            if !valid_org_id(&id) {
                let at = o.get("id").map_or(o.range.start, |p| p.value.range().start);
                self.err_help(
                    ProblemKind::InvalidValue,
                    &path.key("id"),
                    at,
                    format!("`{id}` is not an organization id"),
                    "organization ids look like `o-` followed by 10 to 32 lowercase letters or digits",
                );
            }
            self.org.id = Some(id);
        }
        // The policies first, so that attachments can be checked as they are read.
        self.org.scps.insert(
            FULL_AWS_ACCESS.to_string(),
            OrgPolicy {
                name: FULL_AWS_ACCESS.to_string(),
                policy: builtin(PolicyType::Scp, false),
            },
        );
        self.org.rcps.insert(
            RCP_FULL_AWS_ACCESS.to_string(),
            OrgPolicy {
                name: RCP_FULL_AWS_ACCESS.to_string(),
                policy: builtin(PolicyType::Rcp, true),
            },
        );
        for (key, ty, builtin_name) in [
            ("scps", PolicyType::Scp, FULL_AWS_ACCESS),
            ("rcps", PolicyType::Rcp, RCP_FULL_AWS_ACCESS),
        ] {
            let Some(p) = o.get(key) else { continue };
            let kpath = path.key(key);
            let Some(map) = self
                .r
                .object(&mut self.sink, &p.value, &kpath, &format!("`{key}`"))
            else {
                continue;
            };
            for prop in &map.properties {
                let name = prop.name.as_str().to_string();
                let ppath = kpath.key(&name);
                if name == builtin_name {
                    self.err_help(
                        ProblemKind::Duplicate,
                        &ppath,
                        prop.range.start,
                        format!("`{name}` is predefined and cannot be redefined"),
                        "attach it by name; give your own policy another name",
                    );
                    continue;
                }
                if let Some(policy) = self.document(&prop.value, &ppath, ty) {
                    let target = if ty == PolicyType::Scp {
                        &mut self.org.scps
                    } else {
                        &mut self.org.rcps
                    };
                    target.insert(name.clone(), OrgPolicy { name, policy });
                } else if ty == PolicyType::Scp {
                    // Keep the name known, so attachments do not also report it as unknown.
                    self.org.scps.insert(
                        name.clone(),
                        OrgPolicy {
                            name,
                            policy: builtin(PolicyType::Scp, false),
                        },
                    );
                } else {
                    self.org.rcps.insert(
                        name.clone(),
                        OrgPolicy {
                            name,
                            policy: builtin(PolicyType::Rcp, true),
                        },
                    );
                }
            }
        }
        // The root.
        let rpath = path.key("root");
        match o.get("root") {
            None => self.err_help(
                ProblemKind::Shape,
                path,
                o.range.start,
                "missing `root`",
                "write `\"root\": {\"id\": \"r-ab12\", \"scps\": [\"FullAWSAccess\"]}`",
            ),
            Some(p) => {
                if let Some(ro) = self.r.object(&mut self.sink, &p.value, &rpath, "`root`") {
                    self.check_keys(ro, &["id", "name", "scps", "rcps"], &rpath);
                    let id = self.r.req_string(&mut self.sink, ro, "id", &rpath);
                    let name = self
                        .r
                        .opt_string(&mut self.sink, ro, "name", &rpath)
                        .unwrap_or_else(|| "Root".to_string());
                    let (scps, rcps) = self.attachments(ro, &rpath, "the root");
                    if let Some(id) = id {
                        if !valid_root_id(&id) {
                            let at = ro
                                .get("id")
                                .map_or(ro.range.start, |p| p.value.range().start);
                            self.err_help(
                                ProblemKind::InvalidValue,
                                &rpath.key("id"),
                                at,
                                format!("`{id}` is not a root id"),
                                "root ids look like `r-` followed by 4 to 32 lowercase letters or digits",
                            );
                        }
                        self.units_by_ref.insert(name.clone(), id.clone());
                        self.units_by_ref.insert(id.clone(), id.clone());
                        self.org.units.insert(
                            id.clone(),
                            OrgUnit {
                                id,
                                name,
                                parent: None,
                                scps,
                                rcps,
                            },
                        );
                    }
                }
            }
        }
        // The OUs: first every name and id, then the parents.
        for (upath, v) in self.r.opt_list(&mut self.sink, o, "units", path) {
            let Some(u) = self
                .r
                .object(&mut self.sink, v, &upath, "an organizational unit")
            else {
                continue;
            };
            self.check_keys(u, &["id", "name", "parent", "scps", "rcps"], &upath);
            let id = self.r.req_string(&mut self.sink, u, "id", &upath);
            let name = self.r.req_string(&mut self.sink, u, "name", &upath);
            let parent = self.r.req_string(&mut self.sink, u, "parent", &upath);
            let (Some(id), Some(name)) = (id, name) else {
                continue;
            };
            let at = u.range.start;
            if !valid_ou_id(&id) {
                let at = u.get("id").map_or(at, |p| p.value.range().start);
                self.err_help(
                    ProblemKind::InvalidValue,
                    &upath.key("id"),
                    at,
                    format!("`{id}` is not an OU id"),
                    "OU ids look like `ou-` + 4 to 32 lowercase letters or digits + `-` + 8 to 32 more",
                );
            }
            let mut clash = false;
            for r in [&id, &name] {
                if self.units_by_ref.contains_key(r.as_str()) {
                    self.err_help(
                        ProblemKind::Duplicate,
                        &upath,
                        at,
                        format!("the OU name or id `{r}` is used twice"),
                        "OUs are referenced by name or id, so both must be unique in the manifest",
                    );
                    clash = true;
                }
            }
            if clash {
                continue;
            }
            let (scps, rcps) = self.attachments(u, &upath, &format!("OU `{name}`"));
            self.units_by_ref.insert(name.clone(), id.clone());
            self.units_by_ref.insert(id.clone(), id.clone());
            let psite = parent.map(|p| {
                let at = u.get("parent").map_or(at, |x| x.value.range().start);
                (
                    p,
                    Site {
                        path: upath.key("parent"),
                        at,
                    },
                )
            });
            unit_sites.push((id.clone(), Site { path: upath, at }, psite));
            self.org.units.insert(
                id.clone(),
                OrgUnit {
                    id,
                    name,
                    parent: None,
                    scps,
                    rcps,
                },
            );
        }
        for (id, _, parent) in unit_sites.iter() {
            let Some((p, site)) = parent else { continue };
            match self.units_by_ref.get(p).cloned() {
                Some(pid) => {
                    if let Some(u) = self.org.units.get_mut(id) {
                        u.parent = Some(pid);
                    }
                }
                None => {
                    let help = self.unit_help();
                    self.err_help(
                        ProblemKind::UnknownUnit,
                        &site.path,
                        site.at,
                        format!("unknown parent OU `{p}`"),
                        help,
                    );
                }
            }
        }
        // The management account, checked once the accounts are read.
        let mpath = path.key("management_account");
        let at = o
            .get("management_account")
            .map_or(o.range.start, |p| p.value.range().start);
        let id = self
            .r
            .req_string(&mut self.sink, o, "management_account", path)?;
        if !is_account_id(&id) {
            self.err(
                ProblemKind::InvalidValue,
                &mpath,
                at,
                format!("the account id `{id}` is not 12 digits"),
            );
            return None;
        }
        Some((id, Site { path: mpath, at }))
    }

    fn unit_help(&self) -> String {
        let mut names: Vec<&String> = self.org.units.values().map(|u| &u.name).collect();
        names.sort();
        if names.is_empty() {
            "define the root and the OUs under `organization`".to_string()
        } else {
            format!(
                "the root and OUs are {}; refer to one by name or id",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }

    /// `scps` and `rcps` of a node in the organization: names of defined policies; at least
    /// one SCP.
    fn attachments(
        &mut self,
        o: &Object<'t>,
        path: &JsonPath,
        what: &str,
    ) -> (Vec<String>, Vec<String>) {
        let mut out = (Vec::new(), Vec::new());
        for key in ["scps", "rcps"] {
            let list = self.r.string_list(&mut self.sink, o, key, path);
            let scp = key == "scps";
            if scp && list.is_empty() {
                self.err_help(
                    ProblemKind::NoScp,
                    path,
                    o.range.start,
                    format!("{what} has no SCP attached"),
                    format!("AWS requires at least one SCP on every node (it attaches `{FULL_AWS_ACCESS}` by default); write `\"scps\": [\"{FULL_AWS_ACCESS}\"]` to allow what the other levels allow"),
                );
            }
            let target = if scp { &mut out.0 } else { &mut out.1 };
            for (p, at, name) in list {
                let known = if scp {
                    self.org.scps.contains_key(&name)
                } else {
                    self.org.rcps.contains_key(&name)
                };
                if !known {
                    let defined: Vec<String> = if scp {
                        self.org.scps.keys().map(|k| format!("`{k}`")).collect()
                    } else {
                        self.org.rcps.keys().map(|k| format!("`{k}`")).collect()
                    };
                    self.err_help(
                        ProblemKind::UnknownOrgPolicy,
                        &p,
                        at,
                        format!("unknown {} `{name}`", if scp { "SCP" } else { "RCP" }),
                        format!(
                            "define it under `organization.{key}`; the defined ones are {}",
                            defined.join(", ")
                        ),
                    );
                    continue;
                }
                if target.contains(&name) {
                    self.err(
                        ProblemKind::Duplicate,
                        &p,
                        at,
                        format!("`{name}` is attached twice to {what}"),
                    );
                    continue;
                }
                target.push(name);
            }
        }
        out
    }

    /// Every OU reaches the root; no cycles.
    fn check_tree(&mut self, unit_sites: &[UnitSite]) {
        for (id, site, _) in unit_sites {
            let mut seen = BTreeSet::new();
            let mut cur = Some(id.clone());
            while let Some(c) = cur {
                if !seen.insert(c.clone()) {
                    self.err_help(
                        ProblemKind::Cycle,
                        &site.path,
                        site.at,
                        format!("the OU `{id}` is its own ancestor"),
                        "every OU's chain of parents must end at the root",
                    );
                    if let Some(u) = self.org.units.get_mut(id) {
                        u.parent = None;
                    }
                    break;
                }
                cur = self.org.units.get(&c).and_then(|u| u.parent.clone());
            }
        }
    }

    fn warn_unused_org_policies(&mut self) {
        let mut used: BTreeSet<&String> = BTreeSet::new();
        for u in self.org.units.values() {
            used.extend(u.scps.iter().chain(&u.rcps));
        }
        for a in &self.accounts {
            used.extend(a.account.scps.iter().chain(&a.account.rcps));
        }
        let unused: Vec<String> = self
            .org
            .scps
            .keys()
            .chain(self.org.rcps.keys())
            .filter(|k| !used.contains(k) && *k != FULL_AWS_ACCESS && *k != RCP_FULL_AWS_ACCESS)
            .cloned()
            .collect();
        for name in unused {
            let p = self.r.warning(
                ProblemKind::Ignored,
                &JsonPath::root().key("organization"),
                None,
                format!("the policy `{name}` is defined but attached nowhere"),
            );
            self.sink.push(p);
        }
    }

    // ----- documents and files -----

    /// A path relative to the manifest's folder, as shown in messages.
    fn resolve_path(&self, rel: &str) -> (PathBuf, String) {
        let full = self.base.join(rel);
        let shown = full.display().to_string();
        (full, shown)
    }

    /// Reads a referenced file, or reports the reference.
    fn read_referenced(
        &mut self,
        rel: &str,
        path: &JsonPath,
        at: usize,
    ) -> Option<(String, String)> {
        let (full, shown) = self.resolve_path(rel);
        match super::read_limited(&full) {
            Ok(t) => Some((shown, t)),
            Err((kind, why)) => {
                self.err_help(
                    kind,
                    path,
                    at,
                    format!("the file `{shown}` {why}"),
                    "paths are relative to the manifest's folder",
                );
                None
            }
        }
    }

    /// A policy document written inline (an object) or as a path to a JSON file (a string).
    fn document(&mut self, v: &Value<'t>, path: &JsonPath, ty: PolicyType) -> Option<Policy> {
        let Value::StringLit(s) = v else {
            return self.r.policy(&mut self.sink, v, path, ty);
        };
        let (file, text) = self.read_referenced(&s.value, path, s.range.start)?;
        let fr = Reader::new(file, &text, self.options.mode);
        match json::parse_policy_with(&text, ty, self.options.mode) {
            Ok(parsed) => {
                fr.report_policy(
                    &mut self.sink,
                    &JsonPath::root(),
                    Some(0),
                    ty,
                    parsed.warnings.into(),
                    false,
                );
                Some(parsed.value)
            }
            Err(diags) => {
                fr.report_policy(&mut self.sink, &JsonPath::root(), Some(0), ty, diags, false);
                None
            }
        }
    }

    fn catalog_file(&mut self, v: &Value<'t>, path: &JsonPath) {
        let Some(rel) = self.r.string(&mut self.sink, v, path) else {
            return;
        };
        let Some((file, text)) = self.read_referenced(&rel, path, v.range().start) else {
            return;
        };
        match PolicyCatalog::parse(&text, &file) {
            Ok(c) => {
                self.sink.extend(c.warnings);
                self.catalog.merge(c.value);
            }
            Err(e) => self.sink.extend(e.into_problems()),
        }
        self.catalog_files.push(file);
    }

    /// A managed policy written in `managed_policies` as an object: `name`, `arn`, `path`
    /// (default: the ARN's path) and its documents ([`Manifest::policy_versions`]).
    fn defined_policy(&mut self, v: &Value<'t>, path: &JsonPath) {
        let Some(o) = self.r.object(&mut self.sink, v, path, "a managed policy") else {
            return;
        };
        self.check_keys(
            o,
            &[
                "name",
                "arn",
                "path",
                "document",
                "version",
                "versions",
                "default_version",
            ],
            path,
        );
        let name = self.r.req_string(&mut self.sink, o, "name", path);
        let arn = self.r.req_string(&mut self.sink, o, "arn", path);
        let ppath = self.r.opt_string(&mut self.sink, o, "path", path);
        let versions = self.policy_versions(o, path);
        let (Some(name), Some(arn)) = (name, arn) else {
            return;
        };
        // Without documents (an error was reported) the policy stays known by ARN, so that
        // its attachments do not also report it as unknown.
        let (default_version, versions) = versions.unwrap_or_default();
        let at = o
            .get("arn")
            .map_or(o.range.start, |p| p.value.range().start);
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let is_policy_arn = parts.len() == 6
            && parts.first() == Some(&"arn")
            && parts.get(2) == Some(&"iam")
            && parts.get(5).is_some_and(|r| r.starts_with("policy/"));
        if !is_policy_arn {
            self.err_help(
                ProblemKind::InvalidValue,
                &path.key("arn"),
                at,
                format!("`{arn}` is not a managed policy ARN"),
                "write `arn:aws:iam::aws:policy/NAME` (AWS managed) or `arn:aws:iam::ACCOUNT:policy/PATH/NAME`",
            );
            return;
        }
        let ppath = match ppath {
            None => policy_path_of_arn(&arn),
            Some(s) if s.starts_with('/') && s.ends_with('/') => s,
            Some(s) => {
                let at = o.get("path").map_or(at, |p| p.value.range().start);
                self.err(
                    ProblemKind::InvalidValue,
                    &path.key("path"),
                    at,
                    format!("the IAM path `{s}` must start and end with `/`"),
                );
                return;
            }
        };
        if self.defined.contains_key(&arn) {
            self.err(
                ProblemKind::Duplicate,
                path,
                o.range.start,
                format!("the managed policy `{arn}` is defined twice"),
            );
            return;
        }
        self.defined.insert(
            arn.clone(),
            ManagedPolicy {
                arn,
                name,
                path: ppath,
                default_version,
                versions,
            },
        );
    }

    /// The documents of a managed policy: `document` (the version `version`, `v1` unless
    /// given), or `versions` (`[{"id": "v1", "document": …}, …]`) with `default_version`
    /// naming the one in force. Returns the default version's id and every version.
    fn policy_versions(
        &mut self,
        e: &Object<'t>,
        p: &JsonPath,
    ) -> Option<(String, Vec<(String, Policy)>)> {
        match (e.get("document"), e.get("versions")) {
            (Some(_), Some(v)) => {
                self.err_help(
                    ProblemKind::Shape,
                    &p.key("versions"),
                    v.range.start,
                    "a managed policy has `document` or `versions`, not both",
                    "write one document as `document`, several as `versions` with `default_version`",
                );
                None
            }
            (None, None) => {
                self.err(ProblemKind::Shape, p, e.range.start, "missing `document`");
                None
            }
            (Some(d), None) => {
                if let Some(x) = e.get("default_version") {
                    self.err_help(
                        ProblemKind::Shape,
                        &p.key("default_version"),
                        x.range.start,
                        "`default_version` goes with `versions`",
                        "name the version of a single `document` with `version`",
                    );
                }
                let id = self
                    .r
                    .opt_string(&mut self.sink, e, "version", p)
                    .unwrap_or_else(|| "v1".to_string());
                let doc = self.document(&d.value, &p.key("document"), PolicyType::Identity)?;
                Some((id.clone(), vec![(id, doc)]))
            }
            (None, Some(_)) => {
                if let Some(x) = e.get("version") {
                    self.err_help(
                        ProblemKind::Shape,
                        &p.key("version"),
                        x.range.start,
                        "`version` goes with `document`",
                        "with `versions`, name the version in force in `default_version`",
                    );
                }
                let mut out: Vec<(String, Policy)> = Vec::new();
                let errors_before = self.sink.error_count();
                for (vp, v) in self.r.opt_list(&mut self.sink, e, "versions", p) {
                    let Some(o) = self.r.object(&mut self.sink, v, &vp, "a policy version") else {
                        continue;
                    };
                    self.check_keys(o, &["id", "document"], &vp);
                    let id = self.r.req_string(&mut self.sink, o, "id", &vp);
                    let doc = match o.get("document") {
                        Some(d) => {
                            self.document(&d.value, &vp.key("document"), PolicyType::Identity)
                        }
                        None => {
                            self.err(ProblemKind::Shape, &vp, o.range.start, "missing `document`");
                            None
                        }
                    };
                    let (Some(id), Some(doc)) = (id, doc) else {
                        continue;
                    };
                    if out.iter().any(|(x, _)| *x == id) {
                        self.err(
                            ProblemKind::Duplicate,
                            &vp.key("id"),
                            o.range.start,
                            format!("the version `{id}` is listed twice"),
                        );
                        continue;
                    }
                    out.push((id, doc));
                }
                let default = self.r.req_string(&mut self.sink, e, "default_version", p)?;
                if self.sink.error_count() > errors_before {
                    return None;
                }
                if !out.iter().any(|(x, _)| *x == default) {
                    let at = e
                        .get("default_version")
                        .map_or(e.range.start, |x| x.value.range().start);
                    let ids: Vec<&String> = out.iter().map(|(x, _)| x).collect();
                    self.err_help(
                        ProblemKind::Shape,
                        &p.key("default_version"),
                        at,
                        format!("the default version `{default}` is not among `versions`"),
                        format!("the versions are {}", names_list(ids.into_iter())),
                    );
                    return None;
                }
                Some((default, out))
            }
        }
    }

    /// The ARN of a user, group or role written inline: `arn` when given (an IAM ARN of that
    /// kind; another account's is kept with a warning, as in dumps), else derived from the
    /// account, path and name.
    fn principal_arn(
        &mut self,
        e: &Object<'t>,
        p: &JsonPath,
        account: &str,
        kind: &str,
        derived: String,
    ) -> String {
        let Some(arn) = self.r.opt_string(&mut self.sink, e, "arn", p) else {
            return derived;
        };
        let at = e
            .get("arn")
            .map_or(e.range.start, |x| x.value.range().start);
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let ok = parts.len() == 6
            && parts.first() == Some(&"arn")
            && parts.get(2) == Some(&"iam")
            && parts
                .get(5)
                .is_some_and(|r| r.strip_prefix(kind).is_some_and(|x| x.starts_with('/')));
        if !ok {
            self.err_help(
                ProblemKind::InvalidValue,
                &p.key("arn"),
                at,
                format!("`{arn}` is not an IAM {kind} ARN"),
                format!("write `arn:aws:iam::{account}:{kind}/PATH/NAME`, or leave `arn` out to derive it"),
            );
            return derived;
        }
        if arn_account(&arn) != Some(account) {
            let w = self
                .r
                .warning(
                    ProblemKind::AccountMismatch,
                    &p.key("arn"),
                    Some(at),
                    format!("the ARN `{arn}` is not in account `{account}`, the account it is listed under"),
                )
                .with_help("the ARN is kept as written");
            self.sink.push(w);
        }
        arn
    }

    // ----- accounts -----

    /// Reads one account entry; returns its id when it is new.
    fn account(
        &mut self,
        v: &Value<'t>,
        path: &JsonPath,
        seen: &[(String, Site)],
    ) -> Option<String> {
        let o = self.r.object(&mut self.sink, v, path, "an account")?;
        self.check_keys(
            o,
            &[
                "id",
                "name",
                "parent",
                "outside_organization",
                "scps",
                "rcps",
                "authorization_details",
                "iam",
                "mfa_users",
            ],
            path,
        );
        let id = self.r.req_string(&mut self.sink, o, "id", path)?;
        let at = o.range.start;
        if !is_account_id(&id) {
            let at = o.get("id").map_or(at, |p| p.value.range().start);
            self.err_help(
                ProblemKind::InvalidValue,
                &path.key("id"),
                at,
                format!("the account id `{id}` is not 12 digits"),
                "an AWS account id is 12 digits, such as `111122223333`",
            );
            return None;
        }
        if let Some((_, first)) = seen.iter().find(|(x, _)| *x == id) {
            self.err_help(
                ProblemKind::Duplicate,
                path,
                at,
                format!("account `{id}` is listed twice (first at `{}`)", first.path),
                "merge the two entries",
            );
            return None;
        }
        let name = self
            .r
            .opt_string(&mut self.sink, o, "name", path)
            .unwrap_or_else(|| id.clone());
        let outside = match o.get("outside_organization").map(|p| &p.value) {
            None => false,
            Some(Value::BooleanLit(b)) => b.value,
            Some(other) => {
                self.err(
                    ProblemKind::Shape,
                    &path.key("outside_organization"),
                    other.range().start,
                    format!(
                        "`outside_organization` must be `true` or `false`, found {}",
                        kind(other)
                    ),
                );
                false
            }
        };
        let parent = self.r.opt_string(&mut self.sink, o, "parent", path);
        let what = format!("account `{name}`");
        let (mut scps, mut rcps) = (Vec::new(), Vec::new());
        let parent_id = match (parent, outside) {
            (Some(_), true) => {
                self.err_help(
                    ProblemKind::InvalidValue,
                    path,
                    at,
                    format!("account `{id}` has a `parent` but is marked `outside_organization`"),
                    "remove one of the two",
                );
                None
            }
            (None, true) => {
                for key in ["scps", "rcps"] {
                    if let Some(p) = o.get(key) {
                        self.err(
                            ProblemKind::InvalidValue,
                            &path.key(key),
                            p.range.start,
                            format!(
                                "account `{id}` is outside the organization and cannot have `{key}`"
                            ),
                        );
                    }
                }
                None
            }
            (None, false) => {
                self.err_help(
                    ProblemKind::Shape,
                    path,
                    at,
                    format!("account `{id}` has no `parent`"),
                    "name the OU (or the root) it sits under, or write `\"outside_organization\": true` for an account outside the organization",
                );
                None
            }
            (Some(p), false) => {
                let ppath = path.key("parent");
                let pat = o.get("parent").map_or(at, |x| x.value.range().start);
                if !self.in_org {
                    self.err_help(
                        ProblemKind::UnknownUnit,
                        &ppath,
                        pat,
                        format!("account `{id}` names the parent `{p}`, but the manifest has no `organization`"),
                        "add `organization`, or mark the account `\"outside_organization\": true`",
                    );
                    None
                } else {
                    (scps, rcps) = self.attachments(o, path, &what);
                    match self.units_by_ref.get(&p).cloned() {
                        Some(pid) => Some(pid),
                        None => {
                            let help = self.unit_help();
                            self.err_help(
                                ProblemKind::UnknownUnit,
                                &ppath,
                                pat,
                                format!("account `{id}` names the unknown OU `{p}`"),
                                help,
                            );
                            None
                        }
                    }
                }
            }
        };
        let dump = o.get("authorization_details");
        let iam = o.get("iam");
        let mut pending = match (dump, iam) {
            (Some(_), Some(i)) => {
                self.err_help(
                    ProblemKind::Shape,
                    &path.key("iam"),
                    i.range.start,
                    format!("account `{id}` has both `authorization_details` and `iam`"),
                    "describe an account by its dump or inline, not both",
                );
                None
            }
            (Some(d), None) => self.dump_account(&d.value, &path.key("authorization_details"), &id),
            (None, Some(i)) => self.inline_account(&i.value, &path.key("iam"), &id),
            (None, None) => Some(PendingAccount {
                account: Account {
                    id: id.clone(),
                    ..Account::default()
                },
                own: BTreeMap::new(),
                attachments: Vec::new(),
                source: self.r.file.clone(),
            }),
        }
        .unwrap_or_else(|| PendingAccount {
            account: Account {
                id: id.clone(),
                ..Account::default()
            },
            own: BTreeMap::new(),
            attachments: Vec::new(),
            source: self.r.file.clone(),
        });
        for (p, at, user) in self.r.string_list(&mut self.sink, o, "mfa_users", path) {
            match pending.account.users.get_mut(&user) {
                Some(u) => u.mfa_enabled = true,
                None => {
                    let help = if pending.account.users.is_empty() {
                        format!("account `{id}` has no users")
                    } else {
                        format!(
                            "the users of account `{id}` are {}",
                            names_list(pending.account.users.keys())
                        )
                    };
                    self.err_help(
                        ProblemKind::UnknownUser,
                        &p,
                        at,
                        format!("account `{id}` has no user `{user}`"),
                        help,
                    );
                }
            }
        }
        pending.account.name = name;
        pending.account.parent = parent_id;
        pending.account.scps = scps;
        pending.account.rcps = rcps;
        self.accounts.push(pending);
        Some(id)
    }

    fn dump_account(&mut self, v: &Value<'t>, path: &JsonPath, id: &str) -> Option<PendingAccount> {
        let rel = self.r.string(&mut self.sink, v, path)?;
        let (file, text) = self.read_referenced(&rel, path, v.range().start)?;
        match load_authorization_details(&text, &file, Some(id)) {
            Ok(dump) => {
                let AccountDump {
                    file,
                    account,
                    policies,
                    attachments,
                    warnings,
                } = dump;
                for mut w in warnings {
                    if w.kind == ProblemKind::AccountMismatch {
                        w.severity = crate::diagnostics::Severity::Error;
                        w.help = Some(format!(
                            "the manifest says this dump is account `{id}` (at `{path}`); a principal's ARN must name its own account"
                        ));
                    }
                    self.sink.push(w);
                }
                Some(PendingAccount {
                    account,
                    own: policies,
                    attachments,
                    source: file,
                })
            }
            Err(e) => {
                self.sink.extend(e.into_problems());
                None
            }
        }
    }

    fn resolve_accounts(&mut self) {
        let mut resolver = Resolver::new(&self.catalog, self.options);
        resolver.catalog_files = self.catalog_files.clone();
        resolver.add_own(&mut self.sink, &self.defined, &self.r.file);
        for a in &self.accounts {
            resolver.add_own(&mut self.sink, &a.own, &a.source);
        }
        let accounts = std::mem::take(&mut self.accounts);
        for mut a in accounts {
            resolver.resolve(&mut self.sink, &mut a.account, &a.own, &a.attachments);
            self.org.accounts.insert(a.account.id.clone(), a.account);
        }
        self.org.managed_policies = resolver.into_policies();
    }

    // ----- inline accounts -----

    fn inline_account(
        &mut self,
        v: &Value<'t>,
        path: &JsonPath,
        id: &str,
    ) -> Option<PendingAccount> {
        let o = self.r.object(&mut self.sink, v, path, "`iam`")?;
        self.check_keys(o, &["users", "groups", "roles", "policies"], path);
        let mut pending = PendingAccount {
            account: Account {
                id: id.to_string(),
                ..Account::default()
            },
            own: BTreeMap::new(),
            attachments: Vec::new(),
            source: self.r.file.clone(),
        };
        for (p, v) in self.r.opt_list(&mut self.sink, o, "policies", path) {
            let Some(e) = self.r.object(&mut self.sink, v, &p, "a managed policy") else {
                continue;
            };
            self.check_keys(
                e,
                &[
                    "name",
                    "path",
                    "document",
                    "version",
                    "versions",
                    "default_version",
                ],
                &p,
            );
            let name = self.r.req_string(&mut self.sink, e, "name", &p);
            let ppath = self.iam_path(e, &p);
            let versions = self.policy_versions(e, &p);
            let Some(name) = name else { continue };
            let arn = format!("arn:aws:iam::{id}:policy{ppath}{name}");
            let Some((default_version, versions)) = versions else {
                // Known by name, so that its attachments do not also report it as unknown;
                // the error above fails the load.
                pending.own.entry(arn.clone()).or_insert(ManagedPolicy {
                    arn,
                    name,
                    path: ppath,
                    default_version: String::new(),
                    versions: Vec::new(),
                });
                continue;
            };
            if pending.own.contains_key(&arn) {
                self.err(
                    ProblemKind::Duplicate,
                    &p,
                    e.range.start,
                    format!("the managed policy `{arn}` is defined twice"),
                );
                continue;
            }
            pending.own.insert(
                arn.clone(),
                ManagedPolicy {
                    arn,
                    name,
                    path: ppath,
                    default_version,
                    versions,
                },
            );
        }
        let mut group_names: HashMap<String, String> = HashMap::new();
        for (p, v) in self.r.opt_list(&mut self.sink, o, "groups", path) {
            let Some(e) = self.r.object(&mut self.sink, v, &p, "a group") else {
                continue;
            };
            self.check_keys(
                e,
                &["name", "path", "arn", "id", "policies", "managed_policies"],
                &p,
            );
            let Some(name) = self.r.req_string(&mut self.sink, e, "name", &p) else {
                continue;
            };
            if !self.unique_name(&mut group_names, "group", &name, &p, e.range.start) {
                continue;
            }
            let gpath = self.iam_path(e, &p);
            let arn = format!("arn:aws:iam::{id}:group{gpath}{name}");
            let arn = self.principal_arn(e, &p, id, "group", arn);
            let holder = Holder::Group(name.clone());
            let unique_id = self.unique_id(e, &p, "AGPA", &arn);
            let inline = self.inline_policies(e, &p);
            let managed = self.inline_managed(e, &p, &holder, &mut pending.attachments);
            pending.account.groups.insert(
                name.clone(),
                Group {
                    name,
                    path: gpath,
                    arn,
                    unique_id,
                    inline,
                    managed,
                },
            );
        }
        let mut user_names = HashMap::new();
        for (p, v) in self.r.opt_list(&mut self.sink, o, "users", path) {
            let Some(e) = self.r.object(&mut self.sink, v, &p, "a user") else {
                continue;
            };
            self.check_keys(
                e,
                &[
                    "name",
                    "path",
                    "arn",
                    "id",
                    "groups",
                    "tags",
                    "policies",
                    "managed_policies",
                    "boundary",
                    "mfa",
                ],
                &p,
            );
            let Some(name) = self.r.req_string(&mut self.sink, e, "name", &p) else {
                continue;
            };
            if !self.unique_name(&mut user_names, "user", &name, &p, e.range.start) {
                continue;
            }
            let upath = self.iam_path(e, &p);
            let arn = format!("arn:aws:iam::{id}:user{upath}{name}");
            let arn = self.principal_arn(e, &p, id, "user", arn);
            let holder = Holder::User(name.clone());
            let unique_id = self.unique_id(e, &p, "AIDA", &arn);
            let mut groups = Vec::new();
            for (gp, at, g) in self.r.string_list(&mut self.sink, e, "groups", &p) {
                let gname = if g.starts_with("arn:") {
                    let acct = arn_account(&g).unwrap_or("");
                    if acct != id {
                        self.err_help(
                            ProblemKind::ForeignGroup,
                            &gp,
                            at,
                            format!("user `{name}` of account `{id}` is listed in `{g}`, a group of another account"),
                            "IAM groups hold users of their own account only",
                        );
                        continue;
                    }
                    g.rsplit('/').next().unwrap_or("").to_string()
                } else {
                    g
                };
                if !pending.account.groups.contains_key(&gname) {
                    let help = if pending.account.groups.is_empty() {
                        format!("account `{id}` has no groups")
                    } else {
                        format!(
                            "the groups of account `{id}` are {}",
                            names_list(pending.account.groups.keys())
                        )
                    };
                    self.err_help(
                        ProblemKind::DanglingGroup,
                        &gp,
                        at,
                        format!("user `{name}` is listed in group `{gname}`, which account `{id}` does not define"),
                        help,
                    );
                    continue;
                }
                if !groups.contains(&gname) {
                    groups.push(gname);
                }
            }
            let tags = self.tag_map(e, &p);
            let inline = self.inline_policies(e, &p);
            let managed = self.inline_managed(e, &p, &holder, &mut pending.attachments);
            let boundary = self.inline_boundary(e, &p, &holder, &mut pending.attachments);
            let mfa_enabled = e.get_boolean("mfa").is_some_and(|b| b.value);
            pending.account.users.insert(
                name.clone(),
                User {
                    name,
                    path: upath,
                    arn,
                    unique_id,
                    tags,
                    groups,
                    inline,
                    managed,
                    boundary,
                    mfa_enabled,
                },
            );
        }
        let mut role_names = HashMap::new();
        for (p, v) in self.r.opt_list(&mut self.sink, o, "roles", path) {
            let Some(e) = self.r.object(&mut self.sink, v, &p, "a role") else {
                continue;
            };
            self.check_keys(
                e,
                &[
                    "name",
                    "path",
                    "arn",
                    "id",
                    "trust",
                    "policies",
                    "managed_policies",
                    "boundary",
                    "tags",
                    "max_session_duration",
                ],
                &p,
            );
            let Some(name) = self.r.req_string(&mut self.sink, e, "name", &p) else {
                continue;
            };
            if !self.unique_name(&mut role_names, "role", &name, &p, e.range.start) {
                continue;
            }
            let rpath = self.iam_path(e, &p);
            let arn = format!("arn:aws:iam::{id}:role{rpath}{name}");
            let arn = self.principal_arn(e, &p, id, "role", arn);
            let holder = Holder::Role(name.clone());
            let unique_id = self.unique_id(e, &p, "AROA", &arn);
            let trust = match e.get("trust") {
                Some(t) => self.document(&t.value, &p.key("trust"), PolicyType::Trust),
                None => {
                    self.err_help(
                        ProblemKind::Shape,
                        &p,
                        e.range.start,
                        format!("role `{name}` has no `trust` policy"),
                        "every role has a trust policy naming who may assume it",
                    );
                    None
                }
            };
            let tags = self.tag_map(e, &p);
            let inline = self.inline_policies(e, &p);
            let managed = self.inline_managed(e, &p, &holder, &mut pending.attachments);
            let boundary = self.inline_boundary(e, &p, &holder, &mut pending.attachments);
            let max_session_duration = match e.get("max_session_duration").map(|x| &x.value) {
                None => DEFAULT_MAX_SESSION_DURATION,
                Some(Value::NumberLit(n))
                    if n.value
                        .parse::<u32>()
                        .is_ok_and(|n| (3600..=43200).contains(&n)) =>
                {
                    n.value
                        .parse::<u32>()
                        .unwrap_or(DEFAULT_MAX_SESSION_DURATION)
                }
                Some(other) => {
                    self.err(
                        ProblemKind::InvalidValue,
                        &p.key("max_session_duration"),
                        other.range().start,
                        "`max_session_duration` must be a whole number of seconds from 3600 to 43200",
                    );
                    DEFAULT_MAX_SESSION_DURATION
                }
            };
            let Some(trust) = trust else { continue };
            pending.account.roles.insert(
                name.clone(),
                Role {
                    name,
                    path: rpath,
                    arn,
                    unique_id,
                    trust,
                    inline,
                    managed,
                    boundary,
                    tags,
                    max_session_duration,
                },
            );
        }
        Some(pending)
    }

    fn unique_name(
        &mut self,
        seen: &mut HashMap<String, String>,
        what: &str,
        name: &str,
        path: &JsonPath,
        at: usize,
    ) -> bool {
        let folded = name.to_lowercase();
        if let Some(first) = seen.get(&folded) {
            self.err_help(
                ProblemKind::Duplicate,
                path,
                at,
                format!("the {what} `{name}` is defined twice (first as `{first}`)"),
                "IAM names are unique in an account, regardless of case",
            );
            return false;
        }
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
        {
            self.err_help(
                ProblemKind::InvalidValue,
                &path.key("name"),
                at,
                format!("`{name}` is not a valid IAM {what} name"),
                "IAM names use letters, digits and `+=,.@_-` only (no spaces)",
            );
            return false;
        }
        seen.insert(folded, name.to_string());
        true
    }

    /// `path` of an IAM entity: `/` by default; must start and end with `/`.
    fn iam_path(&mut self, e: &Object<'t>, p: &JsonPath) -> String {
        match self.r.opt_string(&mut self.sink, e, "path", p) {
            None => "/".to_string(),
            Some(s) if s.starts_with('/') && s.ends_with('/') => s,
            Some(s) => {
                let at = e
                    .get("path")
                    .map_or(e.range.start, |x| x.value.range().start);
                self.err(
                    ProblemKind::InvalidValue,
                    &p.key("path"),
                    at,
                    format!("the IAM path `{s}` must start and end with `/`"),
                );
                "/".to_string()
            }
        }
    }

    /// The entity's unique id: given, or derived from its ARN (stable across runs).
    fn unique_id(&mut self, e: &Object<'t>, p: &JsonPath, prefix: &str, arn: &str) -> String {
        self.r
            .opt_string(&mut self.sink, e, "id", p)
            .unwrap_or_else(|| derived_id(prefix, arn))
    }

    fn tag_map(&mut self, e: &Object<'t>, p: &JsonPath) -> Tags {
        let mut tags: Tags = Vec::new();
        let Some(t) = e.get("tags") else {
            return tags;
        };
        let tp = p.key("tags");
        let Some(map) = self.r.object(&mut self.sink, &t.value, &tp, "`tags`") else {
            return tags;
        };
        for prop in &map.properties {
            let k = prop.name.as_str().to_string();
            let Some(v) = self.r.string(&mut self.sink, &prop.value, &tp.key(&k)) else {
                continue;
            };
            if let Some((first, _)) = tags.iter().find(|(x, _)| x.eq_ignore_ascii_case(&k)) {
                let msg = format!("the tag key `{k}` is given twice (first as `{first}`)");
                self.err_help(
                    ProblemKind::Duplicate,
                    &tp.key(&k),
                    prop.range.start,
                    msg,
                    "tag keys are unique regardless of case",
                );
                continue;
            }
            tags.push((k, v));
        }
        tags
    }

    fn inline_policies(&mut self, e: &Object<'t>, p: &JsonPath) -> Vec<InlinePolicy> {
        let mut out = Vec::new();
        let Some(x) = e.get("policies") else {
            return out;
        };
        let pp = p.key("policies");
        let Some(map) = self.r.object(&mut self.sink, &x.value, &pp, "`policies`") else {
            return out;
        };
        for prop in &map.properties {
            let name = prop.name.as_str().to_string();
            if let Some(policy) = self.document(&prop.value, &pp.key(&name), PolicyType::Identity) {
                out.push(InlinePolicy { name, policy });
            }
        }
        out
    }

    fn inline_managed(
        &mut self,
        e: &Object<'t>,
        p: &JsonPath,
        holder: &Holder,
        attachments: &mut Vec<Attachment>,
    ) -> Vec<String> {
        let mut out = Vec::new();
        for (ap, at, arn) in self.r.string_list(&mut self.sink, e, "managed_policies", p) {
            if out.contains(&arn) {
                continue;
            }
            attachments.push(Attachment {
                holder: holder.clone(),
                arn: arn.clone(),
                boundary: false,
                file: self.r.file.clone(),
                path: ap.to_string(),
                loc: Some(self.r.loc(at)),
            });
            out.push(arn);
        }
        out
    }

    fn inline_boundary(
        &mut self,
        e: &Object<'t>,
        p: &JsonPath,
        holder: &Holder,
        attachments: &mut Vec<Attachment>,
    ) -> Option<String> {
        let arn = self.r.opt_string(&mut self.sink, e, "boundary", p)?;
        let at = e
            .get("boundary")
            .map_or(e.range.start, |x| x.value.range().start);
        attachments.push(Attachment {
            holder: holder.clone(),
            arn: arn.clone(),
            boundary: true,
            file: self.r.file.clone(),
            path: p.key("boundary").to_string(),
            loc: Some(self.r.loc(at)),
        });
        Some(arn)
    }

    // ----- resources -----

    fn resource(&mut self, v: &Value<'t>, path: &JsonPath) {
        let Some(o) = self.r.object(&mut self.sink, v, path, "a resource") else {
            return;
        };
        self.check_keys(o, &["resource", "account", "policy", "tags"], path);
        let arn = self.r.req_string(&mut self.sink, o, "resource", path);
        let account = self.r.req_string(&mut self.sink, o, "account", path);
        let at = o.range.start;
        let (Some(arn), Some(account)) = (arn, account) else {
            return;
        };
        let apath = path.key("resource");
        let aat = o.get("resource").map_or(at, |p| p.value.range().start);
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() != 6 || parts.first() != Some(&"arn") {
            self.err_help(
                ProblemKind::InvalidValue,
                &apath,
                aat,
                format!("`{arn}` is not an ARN"),
                "write `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, e.g. `arn:aws:s3:::my-bucket`",
            );
            return;
        }
        if parts.get(2) == Some(&"iam") && parts.get(5).is_some_and(|r| r.starts_with("role/")) {
            self.err_help(
                ProblemKind::InvalidValue,
                &apath,
                aat,
                format!("`{arn}` is a role: its trust policy is not a resource entry"),
                "a role's trust policy comes from its account's dump (`AssumeRolePolicyDocument`) or from `iam.roles[].trust`",
            );
            return;
        }
        let cat = o.get("account").map_or(at, |p| p.value.range().start);
        if !self.org.accounts.contains_key(&account) {
            let help = format!(
                "the accounts are {}; list the owner in `accounts` (with `\"outside_organization\": true` if it is not a member)",
                names_list(self.org.accounts.keys())
            );
            self.err_help(
                ProblemKind::UnknownAccount,
                &path.key("account"),
                cat,
                format!("resource `{arn}` names the unknown account `{account}`"),
                help,
            );
        }
        if let Some(a) = parts.get(4).filter(|a| !a.is_empty())
            && *a != account
        {
            self.err(
                ProblemKind::AccountMismatch,
                &path.key("account"),
                cat,
                format!("resource `{arn}` is in account `{a}` by its ARN, not `{account}`"),
            );
        }
        if self.org.resources.contains_key(&arn) {
            self.err(
                ProblemKind::Duplicate,
                path,
                at,
                format!("the resource `{arn}` is listed twice"),
            );
            return;
        }
        let policy = match o.get("policy") {
            Some(p) if !matches!(p.value, Value::NullKeyword(_)) => {
                let Some(pol) = self.document(&p.value, &path.key("policy"), PolicyType::Resource)
                else {
                    return;
                };
                Some(pol)
            }
            _ => None,
        };
        let tags = self.tag_map(o, path);
        self.org.resources.insert(
            arn.clone(),
            Resource {
                arn,
                account,
                tags,
                policy,
            },
        );
    }
}

/// `FullAWSAccess` (an SCP) or `RCPFullAWSAccess` (an RCP, which names `"Principal": "*"`).
pub(crate) fn builtin(ty: PolicyType, principal: bool) -> Policy {
    let text = if principal {
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}"#
    } else {
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#
    };
    match json::parse_policy_with(text, ty, ParseMode::Strict) {
        Ok(p) => p.value,
        // INVARIANT: the two texts above are valid for their types; an empty policy would
        // deny everything, which is fail-closed.
        Err(_) => Policy {
            version: None,
            id: None,
            statements: Vec::new(),
            loc: crate::model::Loc::default(),
        },
    }
}

/// The path of a managed policy ARN: `arn:aws:iam::aws:policy/service-role/X` ->
/// `/service-role/`; `/` when the ARN has none.
pub(crate) fn policy_path_of_arn(arn: &str) -> String {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or("");
    let rest = resource.strip_prefix("policy").unwrap_or("");
    match rest.rfind('/') {
        Some(i) if rest.starts_with('/') => rest.get(..=i).unwrap_or("/").to_string(),
        _ => "/".to_string(),
    }
}

fn names_list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let v: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

fn valid_org_id(s: &str) -> bool {
    s.strip_prefix("o-").is_some_and(|r| {
        (10..=32).contains(&r.len())
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

fn valid_root_id(s: &str) -> bool {
    s.strip_prefix("r-").is_some_and(|r| {
        (4..=32).contains(&r.len())
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

fn valid_ou_id(s: &str) -> bool {
    let ok = |r: &str, lo: usize| {
        (lo..=32).contains(&r.len())
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    s.strip_prefix("ou-")
        .and_then(|r| r.split_once('-'))
        .is_some_and(|(a, b)| ok(a, 4) && ok(b, 8))
}

/// A unique id in IAM's style (`AIDA` + 17 characters of `A-Z2-7`), derived from the ARN so
/// that it is the same on every run.
pub(crate) fn derived_id(prefix: &str, arn: &str) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let fnv = |seed: u64| {
        arn.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let (mut a, mut b) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4));
    let mut out = prefix.to_string();
    for i in 0..17 {
        let src = if i < 12 { &mut a } else { &mut b };
        let idx = usize::try_from(*src & 31).unwrap_or(0);
        out.push(char::from(ALPHABET.get(idx).copied().unwrap_or(b'A')));
        *src >>= 5;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(valid_org_id("o-a1b2c3d4e5"));
        assert!(!valid_org_id("o-short"));
        assert!(valid_root_id("r-ab12"));
        assert!(valid_ou_id("ou-ab12-11111111"));
        assert!(!valid_ou_id("ou-ab12"));
        let id = derived_id("AIDA", "arn:aws:iam::123456789012:user/x");
        assert_eq!(id.len(), 21);
        assert_eq!(id, derived_id("AIDA", "arn:aws:iam::123456789012:user/x"));
        assert_ne!(id, derived_id("AIDA", "arn:aws:iam::123456789012:user/y"));
    }

    #[test]
    fn builtins_parse() {
        assert_eq!(builtin(PolicyType::Scp, false).statements.len(), 1);
        assert_eq!(builtin(PolicyType::Rcp, true).statements.len(), 1);
    }
}
