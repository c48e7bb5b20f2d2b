//! An organization model written in the text language: the whole organization in one
//! self-contained file (every policy written out, nothing imported), in the canonical layout.
//! Reading it back with [`parse_org_text`](crate::text::parse_org_text) gives an equal
//! [`Organization`].
//!
//! What goes where:
//!
//! * the OU tree under `organization`, each account under its OU, outside accounts at the top;
//! * a customer managed policy in its account (`policy NAME`), attached by name;
//! * every other managed policy (AWS managed, another account's, or one whose ARN is not the
//!   one derived from its account, path and name) at the top (`managed NAME arn "…"`),
//!   attached by ARN;
//! * paths, ARNs, unique ids, versions and session lengths only where they differ from what
//!   the text derives.

use crate::diagnostics::Diagnostics;
use crate::model::{Policy, Version};
use crate::org::load::{
    DEFAULT_MAX_SESSION_DURATION, FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS, derived_id,
    policy_path_of_arn,
};
use crate::org::{Account, Group, ManagedPolicy, OrgUnit, Organization, Resource, Role, User};
use crate::text::layout::{Entry, Node, render, word};
use crate::text::org::org_text_to_manifest;
use crate::text::printer::{policy_entries, policy_header, quote};
use std::collections::{BTreeMap, HashMap};

/// Writes a whole organization in the text language, canonically.
pub fn org_to_text(org: &Organization) -> String {
    render(&Printer::new(org).file())
}

/// The organization manifest (`docs/org-manifest.md`) of an organization model, every
/// document written inline: [`org_to_text`] lowered to JSON.
pub fn org_to_manifest(org: &Organization) -> Result<serde_json::Value, Diagnostics> {
    org_text_to_manifest(&org_to_text(org))
}

struct Printer<'o> {
    org: &'o Organization,
    /// Customer managed policies written in their account, by account id.
    own: BTreeMap<&'o str, Vec<&'o ManagedPolicy>>,
    /// Every other managed policy, written at the top.
    top: Vec<&'o ManagedPolicy>,
}

/// The account a customer managed policy is written in: the account of its ARN, when the ARN
/// is the one the text derives from that account, the path and the name.
fn home_account<'o>(org: &'o Organization, p: &ManagedPolicy) -> Option<&'o str> {
    if p.is_aws_managed() || !p.path.starts_with('/') || !p.path.ends_with('/') {
        return None;
    }
    let (id, _) = org
        .accounts
        .iter()
        .find(|(id, _)| p.arn == format!("arn:aws:iam::{id}:policy{}{}", p.path, p.name))?;
    Some(id.as_str())
}

impl<'o> Printer<'o> {
    fn new(org: &'o Organization) -> Printer<'o> {
        let mut own: BTreeMap<&str, Vec<&ManagedPolicy>> = BTreeMap::new();
        let mut top = Vec::new();
        for p in org.managed_policies.values() {
            match home_account(org, p) {
                Some(a) => own.entry(a).or_default().push(p),
                None => top.push(p),
            }
        }
        // Two policies of one name in an account (different paths) cannot both be written
        // by name there: the text groups declarations of one name as versions.
        for list in own.values_mut() {
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for p in list.iter() {
                *counts.entry(p.name.as_str()).or_default() += 1;
            }
            let (stay, go): (Vec<_>, Vec<_>) = list
                .iter()
                .partition(|p| counts.get(p.name.as_str()) == Some(&1));
            top.extend(go);
            *list = stay;
            list.sort_by(|a, b| a.name.cmp(&b.name));
        }
        top.sort_by(|a, b| a.arn.cmp(&b.arn));
        Printer { org, own, top }
    }

    fn file(&self) -> Vec<Entry> {
        let mut out = Vec::new();
        let in_tree = |a: &Account| {
            a.parent
                .as_ref()
                .is_some_and(|p| self.org.units.contains_key(p))
        };
        if self.org.id.is_some() || !self.org.units.is_empty() {
            out.push(Entry::new(self.organization()));
        }
        for a in self.org.accounts.values().filter(|a| !in_tree(a)) {
            out.push(Entry::new(self.account(a, false)));
        }
        for p in &self.top {
            let head = format!("managed {}", word(&p.name));
            out.extend(versions(&head, p, &policy_path_of_arn(&p.arn), true));
        }
        out
    }

    fn organization(&self) -> Node {
        let org = self.org;
        let mut body = Vec::new();
        if let Some(m) = &org.management_account {
            body.push(Entry::new(Node::Line(format!("management {}", word(m)))));
        }
        for root in org.units.values().filter(|u| u.parent.is_none()) {
            body.push(Entry::new(self.unit(root, "root")));
        }
        for (kind, policies, builtin) in [
            ("scp", &org.scps, FULL_AWS_ACCESS),
            ("rcp", &org.rcps, RCP_FULL_AWS_ACCESS),
        ] {
            for p in policies.values().filter(|p| p.name != builtin) {
                body.push(Entry::new(Node::block(
                    format!("{kind} {}", word(&p.name)),
                    policy_entries(&p.policy),
                )));
            }
        }
        let id = org.id.as_deref().unwrap_or("");
        Node::block(format!("organization {}", word(id)), body)
    }

    /// The root or an OU: attachments, accounts, OUs.
    fn unit(&self, u: &OrgUnit, kw: &str) -> Node {
        let mut body = attachments(&u.scps, &u.rcps);
        for a in self
            .org
            .accounts
            .values()
            .filter(|a| a.parent.as_ref() == Some(&u.id))
        {
            body.push(Entry::new(self.account(a, true)));
        }
        let mut children: Vec<&OrgUnit> = self
            .org
            .units
            .values()
            .filter(|c| c.parent.as_ref() == Some(&u.id))
            .collect();
        children.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        for c in children {
            body.push(Entry::new(self.unit(c, "ou")));
        }
        Node::block(format!("{kw} {} id {}", word(&u.name), word(&u.id)), body)
    }

    fn account(&self, a: &Account, in_tree: bool) -> Node {
        let mut head = format!("account {}", word(&a.id));
        if a.name != a.id {
            head.push(' ');
            head.push_str(&quote(&a.name));
        }
        let mut body = if in_tree {
            attachments(&a.scps, &a.rcps)
        } else {
            Vec::new()
        };
        let mfa: Vec<String> = a
            .users
            .values()
            .filter(|u| u.mfa_enabled)
            .map(|u| word(&u.name))
            .collect();
        if !mfa.is_empty() {
            body.push(Entry::new(Node::Repeat {
                head: "mfa".into(),
                items: mfa,
            }));
        }
        let own: &[&ManagedPolicy] = self.own.get(a.id.as_str()).map_or(&[], Vec::as_slice);
        for p in own {
            let head = format!("policy {}", word(&p.name));
            body.extend(versions(&head, p, "/", false));
        }
        let names: HashMap<&str, &str> = own
            .iter()
            .map(|p| (p.arn.as_str(), p.name.as_str()))
            .collect();
        for g in a.groups.values() {
            body.push(Entry::new(group(&a.id, g, &names)));
        }
        for u in a.users.values() {
            body.push(Entry::new(user(&a.id, u, &names)));
        }
        for r in a.roles.values() {
            body.push(Entry::new(role(&a.id, r, &names)));
        }
        for r in self.org.resources.values().filter(|r| r.account == a.id) {
            body.push(Entry::new(resource(r)));
        }
        Node::block(head, body)
    }
}

/// A managed policy: one block, or one per version (`version v1`, `default` on the one in
/// force). `path` is written when it is not `implied_path`, then the ARN when `with_arn`.
fn versions(head: &str, p: &ManagedPolicy, implied_path: &str, with_arn: bool) -> Vec<Entry> {
    let mut head = head.to_string();
    if p.path != implied_path {
        head.push_str(&format!(" path {}", quote(&p.path)));
    }
    if with_arn {
        head.push_str(&format!(" arn {}", quote(&p.arn)));
    }
    match p.versions.as_slice() {
        [(id, doc)] if id == "v1" && p.default_version == "v1" => {
            vec![Entry::new(Node::block(head, policy_entries(doc)))]
        }
        [(id, doc)] if *id == p.default_version => vec![Entry::new(Node::block(
            format!("{head} version {}", word(id)),
            policy_entries(doc),
        ))],
        many => many
            .iter()
            .map(|(id, doc)| {
                let default = if *id == p.default_version {
                    " default"
                } else {
                    ""
                };
                Entry::new(Node::block(
                    format!("{head} version {}{default}", word(id)),
                    policy_entries(doc),
                ))
            })
            .collect(),
    }
}

/// `attach scp …` and `attach rcp …`.
fn attachments(scps: &[String], rcps: &[String]) -> Vec<Entry> {
    let mut out = Vec::new();
    for (kind, list) in [("scp", scps), ("rcp", rcps)] {
        if !list.is_empty() {
            out.push(Entry::new(Node::Repeat {
                head: format!("attach {kind}"),
                items: list.iter().map(|n| word(n)).collect(),
            }));
        }
    }
    out
}

/// The qualifiers of a user, group or role: `path`, `arn` and `unique_id` where they differ
/// from what the text derives.
fn principal_head(
    kw: &str,
    account: &str,
    name: &str,
    path: &str,
    arn: &str,
    unique_id: &str,
    id_prefix: &str,
) -> String {
    let mut head = format!("{kw} {}", word(name));
    if path != "/" {
        head.push_str(&format!(" path {}", quote(path)));
    }
    if arn != format!("arn:aws:iam::{account}:{kw}{path}{name}") {
        head.push_str(&format!(" arn {}", quote(arn)));
    }
    if unique_id != derived_id(id_prefix, arn) {
        head.push_str(&format!(" unique_id {}", word(unique_id)));
    }
    head
}

/// A managed policy named in `attach` or `boundary`: by name when it is a policy written in
/// the account, else by ARN.
fn policy_ref(arn: &str, own: &HashMap<&str, &str>) -> String {
    match own.get(arn) {
        Some(name) if !name.starts_with("arn:") => word(name),
        _ => quote(arn),
    }
}

fn attach(managed: &[String], own: &HashMap<&str, &str>) -> Option<Entry> {
    (!managed.is_empty()).then(|| {
        Entry::new(Node::Repeat {
            head: "attach".into(),
            items: managed.iter().map(|a| policy_ref(a, own)).collect(),
        })
    })
}

fn tags(tags: &[(String, String)]) -> Option<Entry> {
    (!tags.is_empty()).then(|| {
        Entry::new(Node::Tags(
            tags.iter().map(|(k, v)| (word(k), quote(v))).collect(),
        ))
    })
}

fn inline(policies: &[crate::org::InlinePolicy]) -> Vec<Entry> {
    policies
        .iter()
        .map(|p| {
            Entry::new(Node::block(
                format!("inline {}", word(&p.name)),
                policy_entries(&p.policy),
            ))
        })
        .collect()
}

fn group(account: &str, g: &Group, own: &HashMap<&str, &str>) -> Node {
    let head = principal_head(
        "group",
        account,
        &g.name,
        &g.path,
        &g.arn,
        &g.unique_id,
        "AGPA",
    );
    let mut body: Vec<Entry> = attach(&g.managed, own).into_iter().collect();
    body.extend(inline(&g.inline));
    Node::block(head, body)
}

fn user(account: &str, u: &User, own: &HashMap<&str, &str>) -> Node {
    let mut head = principal_head(
        "user",
        account,
        &u.name,
        &u.path,
        &u.arn,
        &u.unique_id,
        "AIDA",
    );
    if !u.groups.is_empty() {
        let groups: Vec<String> = u.groups.iter().map(|g| word(g)).collect();
        head.push_str(&format!(" in {}", groups.join(", ")));
    }
    let mut body = Vec::new();
    if let Some(b) = &u.boundary {
        body.push(Entry::new(Node::Line(format!(
            "boundary {}",
            policy_ref(b, own)
        ))));
    }
    body.extend(attach(&u.managed, own));
    body.extend(tags(&u.tags));
    body.extend(inline(&u.inline));
    Node::block(head, body)
}

fn role(account: &str, r: &Role, own: &HashMap<&str, &str>) -> Node {
    let head = principal_head(
        "role",
        account,
        &r.name,
        &r.path,
        &r.arn,
        &r.unique_id,
        "AROA",
    );
    let mut body = vec![trust(&r.trust)];
    if let Some(b) = &r.boundary {
        body.push(Entry::new(Node::Line(format!(
            "boundary {}",
            policy_ref(b, own)
        ))));
    }
    body.extend(attach(&r.managed, own));
    if r.max_session_duration != DEFAULT_MAX_SESSION_DURATION {
        body.push(Entry::new(Node::Line(format!(
            "max_session {}",
            r.max_session_duration
        ))));
    }
    body.extend(tags(&r.tags));
    body.extend(inline(&r.inline));
    Node::block(head, body)
}

/// A trust policy: `trust allow …` for one plain statement, else a `trust { … }` block.
pub(crate) fn trust(policy: &Policy) -> Entry {
    let plain = policy.version.as_ref().map(|v| v.node) == Some(Version::V2012_10_17)
        && policy_header(policy).is_empty();
    match policy.statements.as_slice() {
        [one] if plain && one.node.sid.is_none() => Entry::new(Node::Statement {
            prefix: "trust ",
            statement: Box::new(one.node.clone()),
        }),
        _ => Entry::new(Node::block("trust", policy_entries(policy))),
    }
}

fn resource(r: &Resource) -> Node {
    let mut body: Vec<Entry> = tags(&r.tags).into_iter().collect();
    if let Some(p) = &r.policy {
        body.push(Entry::new(Node::block("policy", policy_entries(p))));
    }
    Node::block(format!("resource {}", quote(&r.arn)), body)
}
