//! Organizations in the text language: lowered to an organization manifest
//! (`docs/org-manifest.md`) with a map back to the text, then read by the manifest loader, so
//! the text and the JSON manifest obey exactly the same rules.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::Loc;
use crate::org::Organization;
use crate::org::load::{LoadError, LoadOptions, Loaded, Problem, ProblemKind, load_manifest_text};
use crate::text::cst::{Body, DeclKw, Head, Item, Sp};
use crate::text::lexer::Lexer;
use crate::text::lower::{Out, body_items, describe_item, policy_json};
use crate::text::org_check::{check, closest};
use crate::text::parse::parse_cst;
use std::collections::HashMap;
use std::path::Path;

/// Why an organization written in the text language was not loaded.
#[derive(Clone, Debug)]
pub enum OrgTextError {
    /// The text has lexical, syntax, placement or reference errors (locations in the text).
    Syntax(Diagnostics),
    /// The organization it describes is invalid (problems located in the text, or in the
    /// files it imports).
    Load(LoadError),
}

impl OrgTextError {
    /// Renders the errors for a person; `text` is the organization file's text. Problems
    /// located in the text show its line with a caret, like syntax errors.
    pub fn render(&self, file: &str, text: &str) -> String {
        match self {
            OrgTextError::Syntax(d) => d.render(file, text),
            OrgTextError::Load(e) => render_problems(e.problems(), file, text),
        }
    }
}

/// The length of the token at byte `offset` of `text` (at least 1).
fn token_len(text: &str, offset: u32) -> usize {
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    match text.get(offset..).map(|rest| Lexer::new(rest).next()) {
        Some(Some(Ok((0, _, end)))) => end.max(1),
        _ => 1,
    }
}

/// Renders loader problems: those located in `file` like diagnostics (with the text's line
/// and a caret), the others (in imported files) as the loader words them.
fn render_problems(problems: &[Problem], file: &str, text: &str) -> String {
    let mut out = String::new();
    for p in problems {
        match p.loc {
            Some(loc) if p.file == file => {
                let mut d = Diagnostic::error("org", loc, p.message.clone())
                    .with_len(token_len(text, loc.offset));
                d.severity = p.severity;
                d.help.clone_from(&p.help);
                out.push_str(&d.render(file, text));
                for inner in &p.diagnostics {
                    if p.decoded {
                        out.push_str(&format!("    (in the decoded document) {inner}\n"));
                    } else {
                        out.push_str(&inner.render(file, text));
                    }
                }
            }
            _ => {
                out.push_str(&p.to_string());
                out.push('\n');
            }
        }
        out.push('\n');
    }
    let errors = problems.iter().filter(|p| p.is_error()).count();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    out.push_str(&format!(
        "{}, {}\n",
        plural(errors, "error"),
        plural(problems.len() - errors, "warning")
    ));
    out
}

/// True when `text` reads as an organization file (it declares an `organization`, an
/// `account` or a `managed` policy, or imports managed policies) rather than a policy.
pub fn is_org_text(text: &str) -> bool {
    let (items, _) = parse_cst(text);
    items.iter().any(|i| match &i.v {
        Item::Decl { kw, .. } => matches!(
            kw.v,
            DeclKw::Organization | DeclKw::Account | DeclKw::Managed
        ),
        Item::Import { managed, .. } => *managed,
        _ => false,
    })
}

/// The manifest an organization text is lowered to, with the map back to the text.
struct Lowered {
    out: Out,
    fallbacks: Vec<Fallback>,
}

/// Parses, checks and lowers an organization text; every error found comes back at once.
fn lower_org(text: &str) -> Result<Lowered, Diagnostics> {
    let (items, mut diags) = parse_cst(text);
    if !diags.iter().any(Diagnostic::is_error) {
        diags.extend(check(text, &items));
    }
    let mut l = OrgLower {
        text,
        diags: Vec::new(),
        out: Out::default(),
        units: Vec::new(),
        accounts: Vec::new(),
        resources: Vec::new(),
        fallbacks: Vec::new(),
    };
    l.file(&items);
    // After a syntax error the tree is a guess: what the lowering finds beyond it is most
    // likely a consequence, not another mistake.
    let first_syntax = diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.loc.offset)
        .min();
    l.diags
        .retain(|d| first_syntax.is_none_or(|first| d.loc.offset < first));
    diags.append(&mut l.diags);
    if diags.iter().any(Diagnostic::is_error) {
        diags.sort_by_key(|d| d.loc.offset);
        diags.dedup();
        let mut d = Diagnostics::from(diags);
        d.sort();
        return Err(d);
    }
    Ok(Lowered {
        out: l.out,
        fallbacks: l.fallbacks,
    })
}

/// Lowers an organization written in the text language to its organization manifest
/// (`docs/org-manifest.md`) without reading the files it imports; their paths are kept as
/// written (relative to the text's folder). Used by `gavel fmt --to json`.
pub fn org_text_to_manifest(text: &str) -> Result<serde_json::Value, Diagnostics> {
    let lowered = lower_org(text)?;
    serde_json::from_str(&lowered.out.s).map_err(|e| {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::error(
            "internal",
            Loc::default(),
            format!("the lowered manifest is not JSON: {e}"),
        ));
        d
    })
}

/// Reads an organization written in the text language. `file` names it in messages, and the
/// files it imports are relative to `base_dir`.
pub fn parse_org_text(
    text: &str,
    file: &str,
    base_dir: &Path,
    options: &LoadOptions,
) -> Result<Loaded<Organization>, OrgTextError> {
    if text.len() > crate::org::load::MAX_FILE_BYTES {
        let size = u64::try_from(text.len()).unwrap_or(u64::MAX);
        let p = crate::org::load::too_large(file, "the organization file", size);
        return Err(OrgTextError::Load(LoadError::single(p)));
    }
    let Lowered { out, fallbacks } = lower_org(text).map_err(OrgTextError::Syntax)?;
    let remap = |problems: Vec<Problem>| {
        problems
            .into_iter()
            .map(|mut p| {
                if p.file == file {
                    if let Some(loc) = p.loc {
                        p.loc = Some(out.map_loc(text, loc).0);
                    }
                    p.path.clear();
                    if !p.decoded {
                        p.diagnostics = std::mem::take(&mut p.diagnostics)
                            .into_iter()
                            .map(|d| out.map_diag(text, d))
                            .collect();
                    }
                    explain_fallback(&mut p, text, &fallbacks);
                }
                p
            })
            .collect::<Vec<_>>()
    };
    match load_manifest_text(&out.s, file, base_dir, options) {
        Ok(loaded) => Ok(Loaded {
            value: loaded.value,
            warnings: remap(loaded.warnings),
        }),
        Err(e) => Err(OrgTextError::Load(LoadError::new(remap(e.into_problems())))),
    }
}

/// A policy named in `attach` or `boundary` that is neither an ARN nor a policy of its
/// account, so it was read as an AWS managed policy.
struct Fallback {
    lo: usize,
    name: String,
    arn: String,
    account: String,
    own: Vec<String>,
}

/// Rewords an unresolved attachment of a name that was read as an AWS managed policy: the
/// loader's message speaks of ARNs and dumps; the text said a name.
fn explain_fallback(p: &mut Problem, text: &str, fallbacks: &[Fallback]) {
    if !matches!(
        p.kind,
        ProblemKind::UnknownPolicy | ProblemKind::UnknownBoundary
    ) {
        return;
    }
    let Some(loc) = p.loc else { return };
    let Some(f) = fallbacks
        .iter()
        .find(|f| Loc::at(text, f.lo).offset == loc.offset)
    else {
        return;
    };
    p.message = format!("unknown managed policy `{}`", f.name);
    let own = if f.own.is_empty() {
        format!("account `{}` declares no policies", f.account)
    } else {
        format!(
            "the policies of account `{}` are {}",
            f.account,
            f.own
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    p.help = Some(match closest(&f.name, f.own.iter().map(String::as_str)) {
        Some(n) => format!("did you mean `{n}`? ({own})"),
        None => format!(
            "it is not a policy of the account ({own}), so it was read as the AWS managed policy `{}`, which no `import managed` file defines",
            f.arn
        ),
    });
}

/// Loads an organization file in the text language for the command line (warnings are left
/// to the caller); errors come back rendered.
pub fn load_org_file(path: &Path, options: &LoadOptions) -> Result<Loaded<Organization>, String> {
    let text = crate::org::load::read_limited(path)
        .map_err(|(_, why)| format!("the file `{}` {why}", path.display()))?;
    let file = path.display().to_string();
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    parse_org_text(&text, &file, &base, options).map_err(|e| e.render(&file, &text))
}

/// An OU (or the root) as read: name, id, parent id, attachments.
struct Unit<'a> {
    name: &'a Sp<String>,
    id: Option<&'a Sp<String>>,
    parent: Option<&'a Sp<String>>,
    scps: Vec<&'a Sp<String>>,
    rcps: Vec<&'a Sp<String>>,
}

/// An account declaration and the unit it sits under (`None`: outside the organization).
struct AccountAt<'a> {
    name: &'a Sp<String>,
    label: Option<&'a Sp<String>>,
    items: &'a [Sp<Item>],
    parent: Option<&'a Sp<String>>,
    lo: usize,
}

/// A resource declaration: ARN, items, start.
type ResourceAt<'a> = (&'a Sp<String>, &'a [Sp<Item>], usize);

/// An entry of the manifest's `managed_policies`: a file, or the declarations (one per
/// version) of a managed policy defined by ARN.
enum ManagedEntry<'a> {
    File(&'a Sp<String>),
    Defined(String, Vec<&'a Sp<Item>>),
}

struct OrgLower<'t, 'a> {
    text: &'t str,
    diags: Vec<Diagnostic>,
    out: Out,
    units: Vec<Unit<'a>>,
    accounts: Vec<AccountAt<'a>>,
    resources: Vec<ResourceAt<'a>>,
    fallbacks: Vec<Fallback>,
}

fn block(body: &Option<Body>) -> &[Sp<Item>] {
    match body {
        Some(Body::Block(items)) => items,
        _ => &[],
    }
}

/// The keyword of a qualifier.
fn head_word(h: &Head) -> &'static str {
    match h {
        Head::Id(_) => "id",
        Head::UniqueId(_) => "unique_id",
        Head::Path(_) => "path",
        Head::In(_) => "in",
        Head::Outside => "outside",
        Head::Arn(_) => "arn",
        Head::Version(_) => "version",
        Head::Default => "default",
    }
}

/// The value of the first qualifier `word` among `heads`.
fn head_value<'h>(heads: &'h [Sp<Head>], word: &str) -> Option<&'h Sp<String>> {
    heads.iter().find_map(|h| match &h.v {
        Head::Id(v) | Head::UniqueId(v) | Head::Path(v) | Head::Arn(v) | Head::Version(v)
            if head_word(&h.v) == word =>
        {
            Some(v)
        }
        _ => None,
    })
}

fn heads_of(item: &Item) -> &[Sp<Head>] {
    match item {
        Item::Decl { heads, .. } => heads,
        _ => &[],
    }
}

impl<'a> OrgLower<'_, 'a> {
    fn at(&self, lo: usize) -> Loc {
        Loc::at(self.text, lo)
    }

    fn misplaced(&mut self, item: &Sp<Item>, place: &str, help: &str) {
        let len = self
            .text
            .get(item.lo..)
            .map_or(1, |s| {
                s.find(|c: char| !c.is_alphanumeric() && c != '_')
                    .unwrap_or(s.len())
            })
            .max(1);
        let d = Diagnostic::error(
            "misplaced",
            self.at(item.lo),
            format!("{} cannot appear {place}", describe_item(&item.v)),
        )
        .with_len(len)
        .with_help(help.to_string());
        self.diags.push(d);
    }

    /// Reports qualifiers `what` does not take, qualifiers given twice, and a label on
    /// anything but an account.
    fn check_heads(&mut self, item: &Sp<Item>, allowed: &[&str], what: &str) {
        let Item::Decl {
            kw, label, heads, ..
        } = &item.v
        else {
            return;
        };
        if let Some(l) = label
            && kw.v != DeclKw::Account
        {
            self.diags.push(
                Diagnostic::error(
                    "misplaced",
                    self.at(l.lo),
                    format!("{what} has no quoted label"),
                )
                .with_len(l.hi - l.lo)
                .with_help("only accounts take a label (their friendly name): `account 111122223333 \"prod\" { … }`"),
            );
        }
        let mut seen: Vec<&str> = Vec::new();
        for h in heads {
            let w = head_word(&h.v);
            if !allowed.contains(&w) {
                let help = if allowed.is_empty() {
                    format!("{what} takes no qualifiers")
                } else {
                    format!(
                        "{what} takes {}",
                        allowed
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                self.diags.push(
                    Diagnostic::error(
                        "misplaced",
                        self.at(h.lo),
                        format!("`{w}` cannot qualify {what}"),
                    )
                    .with_len(w.len())
                    .with_help(help),
                );
            } else if seen.contains(&w) {
                self.diags.push(
                    Diagnostic::error("duplicate", self.at(h.lo), format!("`{w}` is given twice"))
                        .with_len(w.len()),
                );
            }
            seen.push(w);
        }
    }

    /// Reports a missing name of a policy declaration.
    fn needs_name(&mut self, item: &Sp<Item>, what: &str, example: &str) -> bool {
        match &item.v {
            Item::Decl { name: Some(_), .. } => true,
            Item::Decl { kw, .. } => {
                self.diags.push(
                    Diagnostic::error("syntax", self.at(kw.lo), format!("{what} needs a name"))
                        .with_len(kw.hi - kw.lo)
                        .with_help(format!("write `{example}`")),
                );
                false
            }
            _ => false,
        }
    }

    fn file(&mut self, items: &'a [Sp<Item>]) {
        let mut org: Option<&'a Sp<Item>> = None;
        let mut managed: Vec<ManagedEntry<'a>> = Vec::new();
        for item in items {
            match &item.v {
                Item::Decl { kw, .. } if kw.v == DeclKw::Organization => {
                    self.check_heads(item, &[], "an organization");
                    if org.is_some() {
                        self.diags.push(
                            Diagnostic::error("duplicate", self.at(item.lo), "a second `organization`")
                                .with_len(12)
                                .with_help("a file describes one organization"),
                        );
                    } else {
                        org = Some(item);
                    }
                }
                Item::Decl {
                    kw,
                    name: Some(name),
                    label,
                    body,
                    ..
                } if kw.v == DeclKw::Account => {
                    self.check_heads(item, &["outside"], "an account");
                    self.accounts.push(AccountAt {
                        name,
                        label: label.as_ref(),
                        items: block(body),
                        parent: None,
                        lo: item.lo,
                    });
                }
                Item::Decl { kw, heads, .. } if kw.v == DeclKw::Managed => {
                    self.check_heads(item, &["arn", "path", "version", "default"], "a managed policy");
                    if !self.needs_name(item, "a managed policy", "managed NAME arn \"arn:aws:iam::aws:policy/NAME\" { … }") {
                        continue;
                    }
                    let Some(arn) = head_value(heads, "arn") else {
                        self.diags.push(
                            Diagnostic::error("syntax", self.at(kw.lo), "a managed policy defined here needs its ARN")
                                .with_len(kw.hi - kw.lo)
                                .with_help("write `managed NAME arn \"arn:aws:iam::aws:policy/NAME\" { … }`; a customer managed policy is declared in its account with `policy NAME { … }`"),
                        );
                        continue;
                    };
                    let found = managed.iter_mut().find_map(|m| match m {
                        ManagedEntry::Defined(a, decls) if *a == arn.v => Some(decls),
                        _ => None,
                    });
                    match found {
                        Some(decls) => decls.push(item),
                        None => managed.push(ManagedEntry::Defined(arn.v.clone(), vec![item])),
                    }
                }
                Item::Import {
                    managed: true,
                    path,
                } => managed.push(ManagedEntry::File(path)),
                Item::Error => {}
                _ => self.misplaced(
                    item,
                    "at the top of an organization file",
                    "the top level holds `organization`, `account` (outside the organization), `managed` policies and `import managed \"file\"`",
                ),
            }
        }
        self.out.raw("{\"format\":\"gavel-org-manifest/1\"");
        if let Some(org) = org
            && let Item::Decl { name, body, .. } = &org.v
        {
            self.organization(org.lo, name.as_ref(), block(body));
        }
        if !managed.is_empty() {
            self.out.raw(",");
            self.out.key("managed_policies");
            self.out.raw("[");
            for (i, m) in managed.iter().enumerate() {
                if i > 0 {
                    self.out.raw(",");
                }
                match m {
                    ManagedEntry::File(path) => self.out.str_sp(path),
                    ManagedEntry::Defined(_, decls) => self.managed_policy(decls, true),
                }
            }
            self.out.raw("]");
        }
        self.out.raw(",");
        self.out.key("accounts");
        self.out.raw("[");
        let accounts = std::mem::take(&mut self.accounts);
        for (i, a) in accounts.iter().enumerate() {
            if i > 0 {
                self.out.raw(",");
            }
            self.account(a);
        }
        self.out.raw("],");
        self.out.key("resources");
        self.out.raw("[");
        let resources = std::mem::take(&mut self.resources);
        for (i, (arn, items, lo)) in resources.iter().enumerate() {
            if i > 0 {
                self.out.raw(",");
            }
            self.resource(arn, items, *lo, &accounts);
        }
        self.out.raw("]}");
    }

    fn str_list(&mut self, items: &[&Sp<String>]) {
        self.out.raw("[");
        for (i, s) in items.iter().enumerate() {
            if i > 0 {
                self.out.raw(",");
            }
            self.out.str_sp(s);
        }
        self.out.raw("]");
    }

    fn organization(&mut self, lo: usize, id: Option<&'a Sp<String>>, items: &'a [Sp<Item>]) {
        self.out.raw(",");
        self.out.key("organization");
        self.out.mark(lo, lo + 12);
        self.out.raw("{");
        if let Some(id) = id {
            self.out.key("id");
            self.out.str_sp(id);
            self.out.raw(",");
        }
        let mut policies: Vec<(&'a Sp<Item>, bool)> = Vec::new();
        let mut root_seen = false;
        for item in items {
            match &item.v {
                Item::Management(w) => {
                    self.out.key("management_account");
                    self.out.str_sp(w);
                    self.out.raw(",");
                }
                Item::Decl {
                    kw,
                    name: Some(name),
                    heads,
                    body,
                    ..
                } if kw.v == DeclKw::Root => {
                    self.check_heads(item, &["id"], "the root");
                    if root_seen {
                        self.misplaced(item, "twice", "an organization has one root");
                        continue;
                    }
                    root_seen = true;
                    self.node(name, head_value(heads, "id"), None, block(body));
                }
                Item::Decl { kw, .. } if kw.v == DeclKw::Scp => {
                    self.check_heads(item, &[], "an SCP");
                    if self.needs_name(item, "an SCP", "scp NAME { … }") {
                        policies.push((item, true));
                    }
                }
                Item::Decl { kw, .. } if kw.v == DeclKw::Rcp => {
                    self.check_heads(item, &[], "an RCP");
                    if self.needs_name(item, "an RCP", "rcp NAME { … }") {
                        policies.push((item, false));
                    }
                }
                Item::Error => {}
                _ => self.misplaced(
                    item,
                    "in an organization",
                    "an organization holds `management`, `root`, and `scp`/`rcp` definitions",
                ),
            }
        }
        // The root, then the units.
        let units = std::mem::take(&mut self.units);
        let mut first = true;
        for (i, u) in units.iter().enumerate() {
            if i == 0 {
                self.out.key("root");
            } else if first {
                self.out.raw(",");
                self.out.key("units");
                self.out.raw("[");
                first = false;
            } else {
                self.out.raw(",");
            }
            self.out.mark(u.name.lo, u.name.hi);
            self.out.raw("{");
            self.out.key("name");
            self.out.str_sp(u.name);
            if let Some(id) = u.id {
                self.out.raw(",");
                self.out.key("id");
                self.out.str_sp(id);
            }
            if let Some(p) = u.parent {
                self.out.raw(",");
                self.out.key("parent");
                self.out.str_sp(p);
            }
            if !u.scps.is_empty() {
                self.out.raw(",");
                self.out.key("scps");
                self.str_list(&u.scps);
            }
            if !u.rcps.is_empty() {
                self.out.raw(",");
                self.out.key("rcps");
                self.str_list(&u.rcps);
            }
            self.out.raw("}");
        }
        if !first {
            self.out.raw("]");
        }
        for (kind, key) in [(true, "scps"), (false, "rcps")] {
            let mine: Vec<_> = policies.iter().filter(|(_, k)| *k == kind).collect();
            if mine.is_empty() {
                continue;
            }
            self.out.raw(",");
            self.out.key(key);
            self.out.raw("{");
            for (i, (item, _)) in mine.iter().enumerate() {
                if i > 0 {
                    self.out.raw(",");
                }
                if let Item::Decl {
                    name: Some(n),
                    body,
                    ..
                } = &item.v
                {
                    self.out.str_sp(n);
                    self.out.raw(":");
                    self.document(body.as_ref(), item.lo);
                }
            }
            self.out.raw("}");
        }
        self.out.raw("}");
    }

    /// A policy document: inline JSON, or the path of a JSON file.
    fn document(&mut self, body: Option<&Body>, lo: usize) {
        match body {
            Some(Body::Import(path)) => self.out.str_sp(path),
            Some(b) => {
                let items = body_items(b);
                let mut diags = Vec::new();
                policy_json(self.text, &items, lo, &mut self.out, &mut diags);
                self.diags.extend(diags);
            }
            None => self.out.raw("{}"),
        }
    }

    /// A managed policy: its declarations, one per version, all of one name (`policy` in an
    /// account) or of one ARN (`managed` at the top). Writes the manifest's object: `name`,
    /// `arn` (for `managed`), `path`, and `document` or `versions` with `default_version`.
    fn managed_policy(&mut self, decls: &[&'a Sp<Item>], with_arn: bool) {
        let Some(first) = decls.first() else { return };
        let Item::Decl {
            kw,
            name: Some(name),
            heads,
            ..
        } = &first.v
        else {
            return;
        };
        let what = if with_arn { "managed policy" } else { "policy" };
        self.out.mark(kw.lo, name.hi);
        self.out.raw("{");
        self.out.key("name");
        self.out.str_sp(name);
        if with_arn && let Some(arn) = head_value(heads, "arn") {
            self.out.raw(",");
            self.out.key("arn");
            self.out.str_sp(arn);
        }
        // One path for every version.
        let mut path: Option<&'a Sp<String>> = None;
        for d in decls {
            if let Some(p) = head_value(heads_of(&d.v), "path") {
                match path {
                    Some(first) if first.v != p.v => self.diags.push(
                        Diagnostic::error(
                            "conflict",
                            self.at(p.lo),
                            format!("the versions of {what} `{}` have different paths", name.v),
                        )
                        .with_len(p.hi - p.lo)
                        .with_help(format!(
                            "a managed policy has one path: `{}` (line {})",
                            first.v,
                            self.at(first.lo).line
                        )),
                    ),
                    Some(_) => {}
                    None => path = Some(p),
                }
            }
        }
        if let Some(p) = path {
            self.out.raw(",");
            self.out.key("path");
            self.out.str_sp(p);
        }
        fn version(d: &Sp<Item>) -> Option<&Sp<String>> {
            head_value(heads_of(&d.v), "version")
        }
        let is_default = |d: &Sp<Item>| heads_of(&d.v).iter().any(|h| h.v == Head::Default);
        if let [one] = decls
            && version(one).is_none()
            && !is_default(one)
        {
            self.out.raw(",");
            self.out.key("document");
            if let Item::Decl { body, .. } = &one.v {
                self.document(body.as_ref(), one.lo);
            }
            self.out.raw("}");
            return;
        }
        let defaults: Vec<&&Sp<Item>> = decls.iter().filter(|d| is_default(d)).collect();
        if decls.len() > 1 {
            for d in decls {
                if version(d).is_none()
                    && let Item::Decl { kw, .. } = &d.v
                {
                    self.diags.push(
                        Diagnostic::error(
                            "syntax",
                            self.at(kw.lo),
                            format!("{what} `{}` is declared several times without version ids", name.v),
                        )
                        .with_len(kw.hi - kw.lo)
                        .with_help(format!("each declaration is a version: write `{} {} version v1 {{ … }}`, and `default` on the one in force", describe_kw(kw.v), name.v)),
                    );
                }
            }
            match defaults.as_slice() {
                [] => self.diags.push(
                    Diagnostic::error(
                        "syntax",
                        self.at(name.lo),
                        format!(
                            "{what} `{}` has {} versions and none is marked `default`",
                            name.v,
                            decls.len()
                        ),
                    )
                    .with_len(name.hi - name.lo)
                    .with_help("mark the version in force: `… version v2 default { … }`"),
                ),
                [_] => {}
                [_, second, ..] => {
                    let at = heads_of(&second.v)
                        .iter()
                        .find(|h| h.v == Head::Default)
                        .map_or(second.lo, |h| h.lo);
                    self.diags.push(
                        Diagnostic::error(
                            "duplicate",
                            self.at(at),
                            format!("two versions of {what} `{}` are marked `default`", name.v),
                        )
                        .with_len(7)
                        .with_help("one version is in force; remove `default` from the others"),
                    );
                }
            }
        }
        self.out.raw(",");
        self.out.key("versions");
        self.out.raw("[");
        for (i, d) in decls.iter().enumerate() {
            if i > 0 {
                self.out.raw(",");
            }
            let Item::Decl { kw, body, .. } = &d.v else {
                continue;
            };
            self.out.mark(kw.lo, kw.hi);
            self.out.raw("{");
            self.out.key("id");
            match version(d) {
                Some(v) => self.out.str_sp(v),
                None => self.out.str_at("v1", kw.lo, kw.hi),
            }
            self.out.raw(",");
            self.out.key("document");
            self.document(body.as_ref(), d.lo);
            self.out.raw("}");
        }
        self.out.raw("]");
        self.out.raw(",");
        self.out.key("default_version");
        let chosen = defaults.first().copied().or(decls.first());
        if let Some(d) = chosen {
            match version(d) {
                Some(v) => self.out.str_sp(v),
                None => self.out.str_at("v1", d.lo, d.lo),
            }
        }
        self.out.raw("}");
    }

    /// The root or an OU, and everything under it.
    fn node(
        &mut self,
        name: &'a Sp<String>,
        id: Option<&'a Sp<String>>,
        parent: Option<&'a Sp<String>>,
        items: &'a [Sp<Item>],
    ) {
        let index = self.units.len();
        self.units.push(Unit {
            name,
            id,
            parent,
            scps: Vec::new(),
            rcps: Vec::new(),
        });
        let me = id.unwrap_or(name);
        for item in items {
            match &item.v {
                Item::Attach {
                    kind: Some(k),
                    names,
                } => {
                    if let Some(u) = self.units.get_mut(index) {
                        let list = if *k == DeclKw::Scp {
                            &mut u.scps
                        } else {
                            &mut u.rcps
                        };
                        list.extend(names.iter());
                    }
                }
                Item::Decl {
                    kw,
                    name: Some(n),
                    heads,
                    body,
                    ..
                } if kw.v == DeclKw::Ou => {
                    self.check_heads(item, &["id"], "an OU");
                    self.node(n, head_value(heads, "id"), Some(me), block(body));
                }
                Item::Decl {
                    kw,
                    name: Some(n),
                    label,
                    body,
                    ..
                } if kw.v == DeclKw::Account => {
                    self.check_heads(item, &[], "an account of the organization tree");
                    self.accounts.push(AccountAt {
                        name: n,
                        label: label.as_ref(),
                        items: block(body),
                        parent: Some(me),
                        lo: item.lo,
                    });
                }
                Item::Error => {}
                _ => self.misplaced(
                    item,
                    "in the root or an OU",
                    "the root and OUs hold `attach scp …`, `attach rcp …`, `ou` and `account`",
                ),
            }
        }
    }

    fn account(&mut self, a: &AccountAt<'a>) {
        let acct = a.name.v.clone();
        self.out.mark(a.lo, a.name.hi);
        self.out.raw("{");
        self.out.key("id");
        self.out.str_sp(a.name);
        if let Some(l) = a.label {
            self.out.raw(",");
            self.out.key("name");
            self.out.str_sp(l);
        }
        self.out.raw(",");
        match a.parent {
            Some(p) => {
                self.out.key("parent");
                self.out.str_at(&p.v, a.name.lo, a.name.hi);
            }
            None => {
                self.out.key("outside_organization");
                self.out.raw("true");
            }
        }
        let mut scps = Vec::new();
        let mut rcps = Vec::new();
        let mut mfa = Vec::new();
        let mut policies: Vec<(&'a Sp<String>, Vec<&'a Sp<Item>>)> = Vec::new();
        let mut users = Vec::new();
        let mut groups = Vec::new();
        let mut roles = Vec::new();
        const HELP: &str = "an account holds `attach scp|rcp`, `import \"dump.json\"`, `mfa`, `policy`, `group`, `user`, `role` and `resource`";
        for item in a.items {
            match &item.v {
                Item::Attach {
                    kind: Some(k),
                    names,
                } => {
                    if *k == DeclKw::Scp {
                        scps.extend(names.iter());
                    } else {
                        rcps.extend(names.iter());
                    }
                }
                Item::Import {
                    managed: false,
                    path,
                } => {
                    self.out.raw(",");
                    self.out.key("authorization_details");
                    self.out.str_sp(path);
                }
                Item::Mfa(names) => mfa.extend(names.iter()),
                Item::Decl { kw, name, body, .. } => match kw.v {
                    DeclKw::Policy => {
                        self.check_heads(item, &["path", "version", "default"], "a policy");
                        if !self.needs_name(item, "a managed policy", "policy NAME { … }") {
                            continue;
                        }
                        if let Some(n) = name {
                            match policies.iter_mut().find(|(x, _)| x.v == n.v) {
                                Some((_, decls)) => decls.push(item),
                                None => policies.push((n, vec![item])),
                            }
                        }
                    }
                    DeclKw::User => {
                        self.check_heads(item, &["path", "arn", "unique_id", "in"], "a user");
                        users.push(item);
                    }
                    DeclKw::Group => {
                        self.check_heads(item, &["path", "arn", "unique_id"], "a group");
                        groups.push(item);
                    }
                    DeclKw::Role => {
                        self.check_heads(item, &["path", "arn", "unique_id"], "a role");
                        roles.push(item);
                    }
                    DeclKw::Resource => {
                        self.check_heads(item, &[], "a resource");
                        if let Some(arn) = name {
                            self.resources.push((arn, block(body), item.lo));
                        }
                    }
                    _ => self.misplaced(item, "in an account", HELP),
                },
                Item::Error => {}
                _ => self.misplaced(item, "in an account", HELP),
            }
        }
        for (key, list) in [("scps", &scps), ("rcps", &rcps), ("mfa_users", &mfa)] {
            if !list.is_empty() {
                self.out.raw(",");
                self.out.key(key);
                self.str_list(list);
            }
        }
        // Customer managed policies by name, for `attach NAME`.
        let mut own: HashMap<String, String> = HashMap::new();
        for (n, decls) in &policies {
            let path = decls
                .iter()
                .find_map(|d| head_value(heads_of(&d.v), "path"))
                .map_or("/".to_string(), |p| p.v.clone());
            own.insert(
                n.v.clone(),
                format!("arn:aws:iam::{acct}:policy{path}{}", n.v),
            );
        }
        if !(policies.is_empty() && users.is_empty() && groups.is_empty() && roles.is_empty()) {
            self.out.raw(",");
            self.out.key("iam");
            self.out.raw("{");
            self.out.key("policies");
            self.out.raw("[");
            for (i, (_, decls)) in policies.iter().enumerate() {
                if i > 0 {
                    self.out.raw(",");
                }
                self.managed_policy(decls, false);
            }
            self.out.raw("]");
            for (key, list) in [("groups", &groups), ("users", &users), ("roles", &roles)] {
                self.out.raw(",");
                self.out.key(key);
                self.out.raw("[");
                for (i, p) in list.iter().enumerate() {
                    if i > 0 {
                        self.out.raw(",");
                    }
                    self.principal(p, &acct, &own);
                }
                self.out.raw("]");
            }
            self.out.raw("}");
        }
        self.out.raw("}");
    }

    /// A managed policy named in `attach` or `boundary`, as an ARN; names read as AWS managed
    /// policies are remembered, to explain them if they resolve nowhere.
    fn policy_arn(
        &mut self,
        n: &Sp<String>,
        account: &str,
        own: &HashMap<String, String>,
    ) -> String {
        let arn = resolve_policy(&n.v, own);
        if !n.v.starts_with("arn:") && !own.contains_key(&n.v) {
            let mut names: Vec<String> = own.keys().cloned().collect();
            names.sort();
            self.fallbacks.push(Fallback {
                lo: n.lo,
                name: n.v.clone(),
                arn: arn.clone(),
                account: account.to_string(),
                own: names,
            });
        }
        arn
    }

    /// A user, group or role.
    fn principal(&mut self, item: &'a Sp<Item>, account: &str, own: &HashMap<String, String>) {
        let Item::Decl {
            kw,
            name: Some(name),
            heads,
            body,
            ..
        } = &item.v
        else {
            return;
        };
        let is_user = kw.v == DeclKw::User;
        let is_role = kw.v == DeclKw::Role;
        let what = match kw.v {
            DeclKw::User => "a user",
            DeclKw::Group => "a group",
            _ => "a role",
        };
        self.out.mark(kw.lo, name.hi);
        self.out.raw("{");
        self.out.key("name");
        self.out.str_sp(name);
        for h in heads {
            match &h.v {
                Head::Path(p) => {
                    self.out.raw(",");
                    self.out.key("path");
                    self.out.str_sp(p);
                }
                Head::Arn(p) => {
                    self.out.raw(",");
                    self.out.key("arn");
                    self.out.str_sp(p);
                }
                Head::UniqueId(p) => {
                    self.out.raw(",");
                    self.out.key("id");
                    self.out.str_sp(p);
                }
                Head::In(groups) if is_user => {
                    self.out.raw(",");
                    self.out.key("groups");
                    let g: Vec<&Sp<String>> = groups.iter().collect();
                    self.str_list(&g);
                }
                // Reported by `check_heads`.
                _ => {}
            }
        }
        let mut managed: Vec<(String, usize, usize)> = Vec::new();
        let mut inline: Vec<&'a Sp<Item>> = Vec::new();
        let mut trust: Vec<&'a Sp<Item>> = Vec::new();
        for it in block(body) {
            match &it.v {
                Item::Attach { kind: None, names } => {
                    for n in names {
                        let arn = self.policy_arn(n, account, own);
                        managed.push((arn, n.lo, n.hi));
                    }
                }
                Item::Boundary(b) if !matches!(kw.v, DeclKw::Group) => {
                    let arn = self.policy_arn(b, account, own);
                    self.out.raw(",");
                    self.out.key("boundary");
                    self.out.str_at(&arn, b.lo, b.hi);
                }
                Item::Tags(tags) if !matches!(kw.v, DeclKw::Group) => {
                    self.out.raw(",");
                    self.out.key("tags");
                    self.tags(tags, it.lo);
                }
                Item::Decl { kw: k, .. } if k.v == DeclKw::Inline => {
                    self.check_heads(it, &[], "an inline policy");
                    if self.needs_name(it, "an inline policy", "inline NAME { … }") {
                        inline.push(it);
                    }
                }
                Item::Trust(_) if is_role => trust.push(it),
                Item::MaxSession(n) if is_role => {
                    self.out.raw(",");
                    self.out.key("max_session_duration");
                    self.out.mark(n.lo, n.hi);
                    if n.v.bytes().all(|b| b.is_ascii_digit()) && !n.v.is_empty() {
                        self.out.raw(&n.v);
                    } else {
                        self.out.str_sp(n);
                    }
                }
                Item::Error => {}
                _ => {
                    let help = if is_user {
                        "a user holds `attach`, `boundary`, `tags` and `inline` policies"
                    } else if is_role {
                        "a role holds `trust`, `attach`, `boundary`, `tags`, `max_session` and `inline` policies"
                    } else {
                        "a group holds `attach` and `inline` policies"
                    };
                    self.misplaced(it, &format!("in {what}"), help);
                }
            }
        }
        if !managed.is_empty() {
            self.out.raw(",");
            self.out.key("managed_policies");
            self.out.raw("[");
            for (i, (arn, lo, hi)) in managed.iter().enumerate() {
                if i > 0 {
                    self.out.raw(",");
                }
                self.out.str_at(arn, *lo, *hi);
            }
            self.out.raw("]");
        }
        if !inline.is_empty() {
            self.out.raw(",");
            self.out.key("policies");
            self.out.raw("{");
            for (i, it) in inline.iter().enumerate() {
                if i > 0 {
                    self.out.raw(",");
                }
                if let Item::Decl {
                    name: Some(n),
                    body,
                    ..
                } = &it.v
                {
                    self.out.str_sp(n);
                    self.out.raw(":");
                    self.document(body.as_ref(), it.lo);
                }
            }
            self.out.raw("}");
        }
        if is_role && !trust.is_empty() {
            self.out.raw(",");
            self.out.key("trust");
            let first = trust.first().map_or(0, |t| t.lo);
            match trust.as_slice() {
                [one] => {
                    if let Item::Trust(b) = &one.v {
                        self.document(Some(b), first);
                    }
                }
                many => {
                    // Several `trust allow …` lines: one document, in order.
                    let mut items = Vec::new();
                    for t in many {
                        match &t.v {
                            Item::Trust(b @ Body::Statement(_)) => items.extend(body_items(b)),
                            Item::Trust(_) => self.diags.push(
                                Diagnostic::error("duplicate", self.at(t.lo), "a role with a trust block has a second `trust`")
                                    .with_len(5)
                                    .with_help("write the trust policy once: one `trust { … }` block, or `trust allow …` lines only"),
                            ),
                            _ => {}
                        }
                    }
                    let mut diags = Vec::new();
                    policy_json(self.text, &items, first, &mut self.out, &mut diags);
                    self.diags.extend(diags);
                }
            }
        }
        self.out.raw("}");
    }

    fn tags(&mut self, tags: &[(Sp<String>, Sp<String>)], lo: usize) {
        self.out.mark(lo, lo + 4);
        self.out.raw("{");
        for (i, (k, v)) in tags.iter().enumerate() {
            if i > 0 {
                self.out.raw(",");
            }
            self.out.str_sp(k);
            self.out.raw(":");
            self.out.str_sp(v);
        }
        self.out.raw("}");
    }

    fn resource(
        &mut self,
        arn: &Sp<String>,
        items: &'a [Sp<Item>],
        lo: usize,
        accounts: &[AccountAt<'a>],
    ) {
        let owner = accounts
            .iter()
            .find(|a| a.items.iter().any(|i| i.lo == lo))
            .map(|a| a.name.v.clone())
            .unwrap_or_default();
        self.out.mark(lo, arn.hi);
        self.out.raw("{");
        self.out.key("resource");
        self.out.str_sp(arn);
        self.out.raw(",");
        self.out.key("account");
        self.out.str_at(&owner, arn.lo, arn.hi);
        let mut policy_seen = false;
        for it in items {
            match &it.v {
                Item::Tags(tags) => {
                    self.out.raw(",");
                    self.out.key("tags");
                    self.tags(tags, it.lo);
                }
                Item::Decl { kw, body, name, .. } if kw.v == DeclKw::Policy => {
                    self.check_heads(it, &[], "a resource policy");
                    if let Some(n) = name {
                        self.diags.push(
                            Diagnostic::error(
                                "misplaced",
                                self.at(n.lo),
                                "a resource policy has no name",
                            )
                            .with_len(n.hi - n.lo)
                            .with_help("write `policy { … }` in the resource"),
                        );
                    }
                    if policy_seen {
                        self.misplaced(
                            it,
                            "twice in a resource",
                            "a resource has one resource-based policy",
                        );
                        continue;
                    }
                    policy_seen = true;
                    self.out.raw(",");
                    self.out.key("policy");
                    self.document(body.as_ref(), it.lo);
                }
                Item::Error => {}
                _ => self.misplaced(
                    it,
                    "in a resource",
                    "a resource holds `tags { … }` and `policy { … }`",
                ),
            }
        }
        self.out.raw("}");
    }
}

/// The keyword of a policy declaration, for messages.
fn describe_kw(kw: DeclKw) -> &'static str {
    match kw {
        DeclKw::Managed => "managed",
        _ => "policy",
    }
}

/// A managed policy named in `attach` or `boundary`: an ARN as is, a policy of the account by
/// name, otherwise an AWS managed policy (`arn:aws:iam::aws:policy/NAME`).
fn resolve_policy(name: &str, own: &HashMap<String, String>) -> String {
    if name.starts_with("arn:") {
        return name.to_string();
    }
    if let Some(arn) = own.get(name) {
        return arn.clone();
    }
    format!("arn:aws:iam::aws:policy/{name}")
}
