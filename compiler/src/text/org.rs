//! Organizations in the text language: lowered to an organization manifest
//! (`docs/org-manifest.md`) with a map back to the text, then read by the manifest loader, so
//! the text and the JSON manifest obey exactly the same rules.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::Loc;
use crate::org::Organization;
use crate::org::load::{LoadError, LoadOptions, Loaded, load_manifest_text};
use crate::text::cst::{Body, DeclKw, Head, Item, Sp};
use crate::text::lower::{Out, body_items, describe_item, policy_json};
use crate::text::parse::parse_cst;
use std::collections::HashMap;
use std::path::Path;

/// Why an organization written in the text language was not loaded.
#[derive(Clone, Debug)]
pub enum OrgTextError {
    /// The text has lexical, syntax or placement errors (locations in the text).
    Syntax(Diagnostics),
    /// The organization it describes is invalid (problems located in the text, or in the
    /// files it imports).
    Load(LoadError),
}

impl OrgTextError {
    /// Renders the errors for a person; `text` is the organization file's text.
    pub fn render(&self, file: &str, text: &str) -> String {
        match self {
            OrgTextError::Syntax(d) => d.render(file, text),
            OrgTextError::Load(e) => format!("{e}\n"),
        }
    }
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
    let (items, mut diags) = parse_cst(text);
    let mut l = OrgLower {
        text,
        diags: Vec::new(),
        out: Out::default(),
        units: Vec::new(),
        accounts: Vec::new(),
        resources: Vec::new(),
    };
    l.file(&items);
    diags.append(&mut l.diags);
    if diags.iter().any(Diagnostic::is_error) {
        let mut d = Diagnostics::from(diags);
        d.sort();
        return Err(OrgTextError::Syntax(d));
    }
    let out = l.out;
    let remap = |problems: Vec<crate::org::load::Problem>| {
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

struct OrgLower<'t, 'a> {
    text: &'t str,
    diags: Vec<Diagnostic>,
    out: Out,
    units: Vec<Unit<'a>>,
    accounts: Vec<AccountAt<'a>>,
    resources: Vec<ResourceAt<'a>>,
}

fn block(body: &Option<Body>) -> &[Sp<Item>] {
    match body {
        Some(Body::Block(items)) => items,
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

    fn file(&mut self, items: &'a [Sp<Item>]) {
        let mut org: Option<&'a Sp<Item>> = None;
        let mut managed: Vec<&'a Sp<String>> = Vec::new();
        for item in items {
            match &item.v {
                Item::Decl { kw, .. } if kw.v == DeclKw::Organization => {
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
                } if kw.v == DeclKw::Account => self.accounts.push(AccountAt {
                    name,
                    label: label.as_ref(),
                    items: block(body),
                    parent: None,
                    lo: item.lo,
                }),
                Item::Import {
                    managed: true,
                    path,
                } => managed.push(path),
                Item::Error => {}
                _ => self.misplaced(
                    item,
                    "at the top of an organization file",
                    "the top level holds `organization`, `account` (outside the organization) and `import managed \"file\"`",
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
            self.str_list(&managed);
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
                    if root_seen {
                        self.misplaced(item, "twice", "an organization has one root");
                        continue;
                    }
                    root_seen = true;
                    let id = heads.iter().find_map(|h| match &h.v {
                        Head::Id(i) => Some(i),
                        _ => None,
                    });
                    self.node(name, id, None, block(body));
                }
                Item::Decl { kw, .. } if kw.v == DeclKw::Scp => policies.push((item, true)),
                Item::Decl { kw, .. } if kw.v == DeclKw::Rcp => policies.push((item, false)),
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
            } else {
                if first {
                    self.out.raw(",");
                    self.out.key("units");
                    self.out.raw("[");
                    first = false;
                } else {
                    self.out.raw(",");
                }
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
                if let Item::Decl { name, body, kw, .. } = &item.v {
                    match name {
                        Some(n) => self.out.str_sp(n),
                        None => self.out.str_at("", kw.lo, kw.hi),
                    }
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
                    let id = heads.iter().find_map(|h| match &h.v {
                        Head::Id(i) => Some(i),
                        _ => None,
                    });
                    self.node(n, id, Some(me), block(body));
                }
                Item::Decl {
                    kw,
                    name: Some(n),
                    label,
                    body,
                    ..
                } if kw.v == DeclKw::Account => self.accounts.push(AccountAt {
                    name: n,
                    label: label.as_ref(),
                    items: block(body),
                    parent: Some(me),
                    lo: item.lo,
                }),
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
        let mut policies = Vec::new();
        let mut users = Vec::new();
        let mut groups = Vec::new();
        let mut roles = Vec::new();
        for item in a.items {
            match &item.v {
                Item::Attach { kind: Some(k), names } => {
                    if *k == DeclKw::Scp {
                        scps.extend(names.iter());
                    } else {
                        rcps.extend(names.iter());
                    }
                }
                Item::Import { managed: false, path } => {
                    self.out.raw(",");
                    self.out.key("authorization_details");
                    self.out.str_sp(path);
                }
                Item::Mfa(names) => mfa.extend(names.iter()),
                Item::Decl { kw, .. } => match kw.v {
                    DeclKw::Policy => policies.push(item),
                    DeclKw::User => users.push(item),
                    DeclKw::Group => groups.push(item),
                    DeclKw::Role => roles.push(item),
                    DeclKw::Resource => {
                        if let Item::Decl { name: Some(arn), body, .. } = &item.v {
                            self.resources.push((arn, block(body), item.lo));
                        }
                    }
                    _ => self.misplaced(
                        item,
                        "in an account",
                        "an account holds `attach scp|rcp`, `import \"dump.json\"`, `mfa`, `policy`, `group`, `user`, `role` and `resource`",
                    ),
                },
                Item::Error => {}
                _ => self.misplaced(
                    item,
                    "in an account",
                    "an account holds `attach scp|rcp`, `import \"dump.json\"`, `mfa`, `policy`, `group`, `user`, `role` and `resource`",
                ),
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
        for p in &policies {
            if let Item::Decl {
                name: Some(n),
                heads,
                ..
            } = &p.v
            {
                let path = head_path(heads).map_or("/".to_string(), |p| p.v.clone());
                own.insert(
                    n.v.clone(),
                    format!("arn:aws:iam::{acct}:policy{path}{}", n.v),
                );
            }
        }
        if !(policies.is_empty() && users.is_empty() && groups.is_empty() && roles.is_empty()) {
            self.out.raw(",");
            self.out.key("iam");
            self.out.raw("{");
            self.out.key("policies");
            self.out.raw("[");
            for (i, p) in policies.iter().enumerate() {
                if i > 0 {
                    self.out.raw(",");
                }
                if let Item::Decl {
                    name,
                    heads,
                    body,
                    kw,
                    ..
                } = &p.v
                {
                    self.out.mark(kw.lo, kw.hi);
                    self.out.raw("{");
                    self.out.key("name");
                    match name {
                        Some(n) => self.out.str_sp(n),
                        None => self.out.str_at("", kw.lo, kw.hi),
                    }
                    if let Some(path) = head_path(heads) {
                        self.out.raw(",");
                        self.out.key("path");
                        self.out.str_sp(path);
                    }
                    self.out.raw(",");
                    self.out.key("document");
                    self.document(body.as_ref(), p.lo);
                    self.out.raw("}");
                }
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
                    self.principal(p, &own);
                }
                self.out.raw("]");
            }
            self.out.raw("}");
        }
        self.out.raw("}");
    }

    /// A user, group or role.
    fn principal(&mut self, item: &'a Sp<Item>, own: &HashMap<String, String>) {
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
                _ => self.diags.push(
                    Diagnostic::error("misplaced", self.at(h.lo), format!("this qualifier cannot appear on {what}"))
                        .with_len(h.hi - h.lo)
                        .with_help("users take `path`, `unique_id` and `in GROUPS`; groups and roles take `path` and `unique_id`"),
                ),
            }
        }
        let mut managed: Vec<(String, usize, usize)> = Vec::new();
        let mut inline: Vec<&'a Sp<Item>> = Vec::new();
        let mut trust: Vec<&'a Sp<Item>> = Vec::new();
        for it in block(body) {
            match &it.v {
                Item::Attach { kind: None, names } => {
                    for n in names {
                        managed.push((resolve_policy(&n.v, own), n.lo, n.hi));
                    }
                }
                Item::Boundary(b) if !matches!(kw.v, DeclKw::Group) => {
                    self.out.raw(",");
                    self.out.key("boundary");
                    self.out.str_at(&resolve_policy(&b.v, own), b.lo, b.hi);
                }
                Item::Tags(tags) if !matches!(kw.v, DeclKw::Group) => {
                    self.out.raw(",");
                    self.out.key("tags");
                    self.tags(tags, it.lo);
                }
                Item::Decl { kw: k, .. } if k.v == DeclKw::Inline => inline.push(it),
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
                if let Item::Decl { name, body, kw, .. } = &it.v {
                    match name {
                        Some(n) => self.out.str_sp(n),
                        None => self.out.str_at("", kw.lo, kw.hi),
                    }
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
        for it in items {
            match &it.v {
                Item::Tags(tags) => {
                    self.out.raw(",");
                    self.out.key("tags");
                    self.tags(tags, it.lo);
                }
                Item::Decl { kw, body, .. } if kw.v == DeclKw::Policy => {
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

fn head_path(heads: &[Sp<Head>]) -> Option<&Sp<String>> {
    heads.iter().find_map(|h| match &h.v {
        Head::Path(p) => Some(p),
        _ => None,
    })
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
