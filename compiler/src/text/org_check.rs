//! Reference checks on an organization written in the text language, before it is lowered to
//! a manifest: the mistakes a person makes most (a misspelt group, SCP or user, an account
//! declared twice, a node without an SCP, a management account outside the tree) are reported
//! at the text with the text's vocabulary. The manifest loader checks everything again.

use crate::diagnostics::Diagnostic;
use crate::model::Loc;
use crate::model::operator::edit_distance;
use crate::org::load::{FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS};
use crate::text::cst::{Body, DeclKw, Head, Item, Sp};

/// An organization node (the root, an OU, a member account) and its SCPs.
struct Node<'a> {
    what: String,
    at: &'a Sp<String>,
    has_scp: bool,
}

/// An account declaration.
struct Account<'a> {
    id: &'a Sp<String>,
    in_org: bool,
    items: &'a [Sp<Item>],
}

#[derive(Default)]
struct Seen<'a> {
    accounts: Vec<Account<'a>>,
    nodes: Vec<Node<'a>>,
    scps: Vec<&'a Sp<String>>,
    rcps: Vec<&'a Sp<String>>,
    /// `attach scp|rcp` names in the organization: (is SCP, name).
    attached: Vec<(bool, &'a Sp<String>)>,
    management: Option<&'a Sp<String>>,
}

fn block(body: &Option<Body>) -> &[Sp<Item>] {
    match body {
        Some(Body::Block(items)) => items,
        _ => &[],
    }
}

fn line_of(text: &str, lo: usize) -> u32 {
    Loc::at(text, lo).line
}

fn error(text: &str, at: &Sp<String>, message: String, help: String) -> Diagnostic {
    Diagnostic::error("reference", Loc::at(text, at.lo), message)
        .with_len(at.hi.saturating_sub(at.lo))
        .with_help(help)
}

/// The closest of `names` to `word` (case-insensitive edit distance of at most 2, or equal
/// ignoring case).
pub(crate) fn closest<'n>(word: &str, names: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    let lower = word.to_ascii_lowercase();
    names
        .map(|n| (edit_distance(&n.to_ascii_lowercase(), &lower), n))
        .filter(|(d, n)| *d <= 2 && *d < n.len() && *n != word)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn quoted_list<'n>(names: impl Iterator<Item = &'n str>) -> String {
    let v: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

/// Checks the references of an organization file; returns the errors found.
pub(crate) fn check(text: &str, items: &[Sp<Item>]) -> Vec<Diagnostic> {
    let mut seen = Seen::default();
    let mut diags = Vec::new();
    for item in items {
        if let Item::Decl { kw, name, body, .. } = &item.v {
            match kw.v {
                DeclKw::Organization => organization(text, kw, block(body), &mut seen, &mut diags),
                DeclKw::Account => {
                    if let Some(id) = name {
                        seen.accounts.push(Account {
                            id,
                            in_org: false,
                            items: block(body),
                        });
                    }
                }
                _ => {}
            }
        }
    }
    // Accounts: each once; the management account inside the tree.
    for (i, a) in seen.accounts.iter().enumerate() {
        if let Some(first) = seen.accounts.iter().take(i).find(|b| b.id.v == a.id.v) {
            diags.push(error(
                text,
                a.id,
                format!("account `{}` is declared twice", a.id.v),
                format!(
                    "it is first declared on line {}; merge the two declarations",
                    line_of(text, first.id.lo)
                ),
            ));
        }
        account(text, a, &mut diags);
    }
    if let Some(m) = seen.management {
        match seen.accounts.iter().find(|a| a.id.v == m.v) {
            Some(a) if a.in_org => {}
            Some(a) => diags.push(error(
                text,
                m,
                format!("the management account `{}` is outside the organization", m.v),
                format!(
                    "move `account {}` (line {}) under the root or an OU",
                    m.v,
                    line_of(text, a.id.lo)
                ),
            )),
            None => diags.push(error(
                text,
                m,
                format!("the management account `{}` is not declared", m.v),
                format!(
                    "declare `account {} {{ … }}` under the root or an OU; the accounts of the organization are {}",
                    m.v,
                    quoted_list(seen.accounts.iter().filter(|a| a.in_org).map(|a| a.id.v.as_str()))
                ),
            )),
        }
    }
    // SCP and RCP attachments name defined policies.
    for (scp, name) in &seen.attached {
        let (defined, builtin, kind, kw) = if *scp {
            (&seen.scps, FULL_AWS_ACCESS, "SCP", "scp")
        } else {
            (&seen.rcps, RCP_FULL_AWS_ACCESS, "RCP", "rcp")
        };
        if name.v == builtin || defined.iter().any(|d| d.v == name.v) {
            continue;
        }
        let names = std::iter::once(builtin).chain(defined.iter().map(|d| d.v.as_str()));
        let help = match closest(&name.v, names.clone()) {
            Some(n) => format!("did you mean `{n}`?"),
            None => format!(
                "define it in the organization with `{kw} {} {{ … }}`; the {kind}s are {}",
                name.v,
                quoted_list(names)
            ),
        };
        diags.push(error(
            text,
            name,
            format!("unknown {kind} `{}`", name.v),
            help,
        ));
    }
    for (list, kind) in [(&seen.scps, "SCP"), (&seen.rcps, "RCP")] {
        for (i, d) in list.iter().enumerate() {
            if let Some(first) = list.iter().take(i).find(|x| x.v == d.v) {
                diags.push(error(
                    text,
                    d,
                    format!("the {kind} `{}` is defined twice", d.v),
                    format!("it is first defined on line {}", line_of(text, first.lo)),
                ));
            }
        }
    }
    for n in &seen.nodes {
        if !n.has_scp {
            diags.push(error(
                text,
                n.at,
                format!("{} has no SCP attached", n.what),
                format!("AWS requires an SCP on every node of the organization: add `attach scp {FULL_AWS_ACCESS}` to allow what the levels above allow"),
            ));
        }
    }
    diags
}

fn organization<'a>(
    text: &str,
    kw: &Sp<DeclKw>,
    items: &'a [Sp<Item>],
    seen: &mut Seen<'a>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut root = false;
    for item in items {
        match &item.v {
            Item::Management(m) => seen.management = Some(m),
            Item::Decl {
                kw: k,
                name: Some(name),
                body,
                ..
            } => match k.v {
                DeclKw::Root => {
                    root = true;
                    node(name, "the root".to_string(), block(body), seen);
                }
                DeclKw::Scp => seen.scps.push(name),
                DeclKw::Rcp => seen.rcps.push(name),
                _ => {}
            },
            _ => {}
        }
    }
    let span = Sp::new(kw.lo, String::new(), kw.lo + "organization".len());
    if !root {
        diags.push(error(
            text,
            &span,
            "the organization has no `root`".to_string(),
            format!("write `root Root id r-abcd {{ attach scp {FULL_AWS_ACCESS} … }}` in it, with the OUs and accounts inside"),
        ));
    }
    if seen.management.is_none() {
        diags.push(error(
            text,
            &span,
            "the organization has no `management` account".to_string(),
            "add `management ACCOUNT_ID`, naming an account of the organization tree".to_string(),
        ));
    }
}

/// The root or an OU and everything under it.
fn node<'a>(name: &'a Sp<String>, what: String, items: &'a [Sp<Item>], seen: &mut Seen<'a>) {
    let index = seen.nodes.len();
    seen.nodes.push(Node {
        what,
        at: name,
        has_scp: false,
    });
    for item in items {
        match &item.v {
            Item::Attach {
                kind: Some(k),
                names,
            } => {
                if *k == DeclKw::Scp
                    && !names.is_empty()
                    && let Some(n) = seen.nodes.get_mut(index)
                {
                    n.has_scp = true;
                }
                for n in names {
                    seen.attached.push((*k == DeclKw::Scp, n));
                }
            }
            Item::Decl {
                kw,
                name: Some(n),
                body,
                ..
            } => match kw.v {
                DeclKw::Ou => node(n, format!("OU `{}`", n.v), block(body), seen),
                DeclKw::Account => {
                    let items = block(body);
                    let mut has_scp = false;
                    for it in items {
                        if let Item::Attach {
                            kind: Some(k),
                            names,
                        } = &it.v
                        {
                            has_scp |= *k == DeclKw::Scp && !names.is_empty();
                            for x in names {
                                seen.attached.push((*k == DeclKw::Scp, x));
                            }
                        }
                    }
                    seen.nodes.push(Node {
                        what: format!("account `{}`", n.v),
                        at: n,
                        has_scp,
                    });
                    seen.accounts.push(Account {
                        id: n,
                        in_org: true,
                        items,
                    });
                }
                _ => {}
            },
            _ => {}
        }
    }
}

/// An account's own references: groups of `user … in`, `mfa` users, unique names. An
/// account that imports a dump is left to the loader (its principals are in the dump).
fn account(text: &str, a: &Account<'_>, diags: &mut Vec<Diagnostic>) {
    if !a.in_org {
        for it in a.items {
            if let Item::Attach {
                kind: Some(k),
                names,
            } = &it.v
            {
                let kind = if *k == DeclKw::Scp { "SCP" } else { "RCP" };
                for n in names {
                    diags.push(error(
                        text,
                        n,
                        format!("an account outside the organization cannot have an {kind}"),
                        "SCPs and RCPs apply to the accounts of the organization tree; move the account under the root or an OU, or remove the attachment".to_string(),
                    ));
                }
            }
        }
    }
    if a.items
        .iter()
        .any(|i| matches!(i.v, Item::Import { managed: false, .. }))
    {
        return;
    }
    let mut groups: Vec<&Sp<String>> = Vec::new();
    let mut users: Vec<&Sp<String>> = Vec::new();
    let mut roles: Vec<&Sp<String>> = Vec::new();
    let mut memberships: Vec<&Sp<String>> = Vec::new();
    let mut mfa: Vec<&Sp<String>> = Vec::new();
    for it in a.items {
        match &it.v {
            Item::Decl {
                kw,
                name: Some(n),
                heads,
                ..
            } => {
                let (list, what) = match kw.v {
                    DeclKw::User => (&mut users, "user"),
                    DeclKw::Group => (&mut groups, "group"),
                    DeclKw::Role => (&mut roles, "role"),
                    _ => continue,
                };
                if let Some(first) = list.iter().find(|x| x.v.eq_ignore_ascii_case(&n.v)) {
                    diags.push(error(
                        text,
                        n,
                        format!("the {what} `{}` is declared twice in account `{}`", n.v, a.id.v),
                        format!(
                            "it is first declared on line {}; IAM names are unique in an account, regardless of case",
                            line_of(text, first.lo)
                        ),
                    ));
                } else {
                    list.push(n);
                }
                for h in heads {
                    if let Head::In(gs) = &h.v {
                        memberships.extend(gs.iter());
                    }
                }
            }
            Item::Mfa(names) => mfa.extend(names.iter()),
            _ => {}
        }
    }
    for g in memberships {
        if g.v.starts_with("arn:") || groups.iter().any(|x| x.v == g.v) {
            continue;
        }
        let help = match closest(&g.v, groups.iter().map(|x| x.v.as_str())) {
            Some(n) => format!("did you mean `{n}`?"),
            None if groups.is_empty() => format!(
                "declare the group in the account: `group {} {{ }}`; account `{}` has no groups",
                g.v, a.id.v
            ),
            None => format!(
                "declare the group in the account: `group {} {{ }}`; the groups of account `{}` are {}",
                g.v,
                a.id.v,
                quoted_list(groups.iter().map(|x| x.v.as_str()))
            ),
        };
        diags.push(error(
            text,
            g,
            format!("account `{}` has no group `{}`", a.id.v, g.v),
            help,
        ));
    }
    for u in mfa {
        if users.iter().any(|x| x.v == u.v) {
            continue;
        }
        let help = match closest(&u.v, users.iter().map(|x| x.v.as_str())) {
            Some(n) => format!("did you mean `{n}`?"),
            None => format!(
                "`mfa` names users of the account; its users are {}",
                quoted_list(users.iter().map(|x| x.v.as_str()))
            ),
        };
        diags.push(error(
            text,
            u,
            format!("account `{}` has no user `{}`", a.id.v, u.v),
            help,
        ));
    }
}
