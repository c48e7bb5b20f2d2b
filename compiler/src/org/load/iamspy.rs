//! The IAMSpy test fixtures (WithSecureLabs/IAMSpy `tests/files/`): authorization-details
//! dumps ("gaads"), resource-policy lists and Organizations trees with SCPs.
//!
//! * Dumps are ordinary `get-account-authorization-details` output
//!   ([`load_authorization_details`]).
//! * A resource-policy list is `[{"Resource": ARN, "Policy": document, "Account": ID}]`
//!   ([`load_resource_list`]). Two liberties of IAMSpy's fixtures are accepted, each with a
//!   warning:
//!   - a bare-string principal (`"Principal": "arn:aws:iam::123456789012:root"`), which the
//!     policy grammar forbids (only `"*"` may be a bare string) and AWS would reject, is read
//!     as `{"AWS": "…"}` (or `{"Service": "…"}` for a name ending in `.amazonaws.com`), which is
//!     what IAMSpy does. The text is rewritten in place before the document is read, on the
//!     same line, so line numbers stay right (columns after the rewrite on that line move);
//!   - a policy with `"Statement": []`, which AWS rejects, is read as no policy at all (a
//!     policy without statements grants and denies nothing).
//! * An Organizations tree is the output of IAMSpy's `utils/download-scps.py`: the root
//!   (`Id`, `Arn` = `arn:aws:organizations::MANAGEMENT:root/o-…/r-…`, `Policies`, `Children`),
//!   OUs (`"Type": "OU"`) and accounts (`"Type": "Account"`), each with the SCPs attached to
//!   it, `Content` given as an object or as JSON text ([`load_org_tree`]).
//!
//! [`load_iamspy`] puts fixtures together the way IAMSpy's tests do.

use super::LoadOptions;
use super::authz::{is_account_id, load_authorization_details};
use super::catalog::{PolicyCatalog, read_text};
use super::error::{LoadError, Loaded, Problem, ProblemKind, Sink};
use super::manifest::builtin;
use super::reader::{JsonPath, Reader};
use super::resolve::Resolver;
use super::{FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS};
use crate::json::ParseMode;
use crate::model::PolicyType;
use crate::org::model::{Account, OrgPolicy, OrgUnit, Organization, Resource};
use jsonc_parser::ast::{Object, Value};
use jsonc_parser::common::Ranged;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The IAMSpy fixtures to load together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IamspyFiles {
    /// Authorization-details dumps (IAMSpy's "gaads"), one per account.
    pub dumps: Vec<PathBuf>,
    /// Resource-policy lists (`resource-*.json`, `batch-resource.json`, …).
    pub resources: Vec<PathBuf>,
    /// An Organizations tree with SCPs (`scp-*.json`), if any.
    pub organization: Option<PathBuf>,
    /// Managed-policy files (JSON Lines or JSON array) for attachments the dumps do not define.
    pub managed_policies: Vec<PathBuf>,
}

/// An Organizations tree: the organization's structure and its SCPs/RCPs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrgTree {
    /// The organization id (`o-…`), from the root's ARN.
    pub id: String,
    /// The management account, from the root's ARN.
    pub management_account: String,
    /// The root and OUs by id.
    pub units: BTreeMap<String, OrgUnit>,
    /// SCPs by name.
    pub scps: BTreeMap<String, OrgPolicy>,
    /// RCPs by name.
    pub rcps: BTreeMap<String, OrgPolicy>,
    /// The member accounts by id: name, parent and attachments, no principals.
    pub accounts: BTreeMap<String, Account>,
}

/// Reads a resource-policy list: `[{"Resource": ARN, "Policy": document, "Account": ID}]`.
/// `Account` may be left out when the ARN names the account. Documents are read as
/// resource-based policies in lenient mode, after the rewrites described in the module
/// documentation.
pub fn load_resource_list(text: &str, file: &str) -> Result<Loaded<Vec<Resource>>, LoadError> {
    let mut sink = Sink::default();
    let r = Reader::new(file, text, ParseMode::Lenient);
    let Some(root) = r.parse(&mut sink, "the resource-policy list") else {
        return Err(LoadError::new(sink.problems));
    };
    // Find bare-string principals; rewrite them in the text and read the rewritten text.
    let mut splices: Vec<(usize, usize, String)> = Vec::new();
    if let Some(list) = root.as_array() {
        for (i, e) in list.elements.iter().enumerate() {
            let ppath = JsonPath::root().index(i).key("Policy");
            let Some(stmts) = e
                .as_object()
                .and_then(|o| o.get("Policy"))
                .and_then(|p| p.value.as_object())
                .and_then(|p| p.get("Statement"))
            else {
                continue;
            };
            let stmts: Vec<(JsonPath, &Value<'_>)> = match &stmts.value {
                Value::Array(a) => a
                    .elements
                    .iter()
                    .enumerate()
                    .map(|(j, s)| (ppath.key("Statement").index(j), s))
                    .collect(),
                v => vec![(ppath.key("Statement"), v)],
            };
            for (spath, s) in stmts {
                let Some(so) = s.as_object() else { continue };
                for key in ["Principal", "NotPrincipal"] {
                    let Some(Value::StringLit(lit)) = so.get(key).map(|p| &p.value) else {
                        continue;
                    };
                    if lit.value == "*" {
                        continue;
                    }
                    let ty = if lit.value.ends_with(".amazonaws.com") {
                        "Service"
                    } else {
                        "AWS"
                    };
                    let literal = text.get(lit.range.start..lit.range.end).unwrap_or("\"\"");
                    sink.push(
                        r.warning(
                            ProblemKind::Rewritten,
                            &spath.key(key),
                            Some(lit.range.start),
                            format!(
                                "the bare-string principal `{}` is read as `{{\"{ty}\": {literal}}}`",
                                lit.value
                            ),
                        )
                        .with_help("the policy grammar allows only `\"*\"` as a bare string, and AWS rejects this document; IAMSpy reads it this way"),
                    );
                    splices.push((
                        lit.range.start,
                        lit.range.end,
                        format!("{{\"{ty}\": {literal}}}"),
                    ));
                }
            }
        }
    }
    let rewritten = splice(text, &mut splices);
    let r = Reader::new(file, &rewritten, ParseMode::Lenient);
    let Some(root) = r.parse(&mut sink, "the rewritten resource-policy list") else {
        return Err(LoadError::new(sink.problems));
    };
    let mut out: Vec<Resource> = Vec::new();
    let top = JsonPath::root();
    let Some(list) = r.array(&mut sink, &root, &top) else {
        return Err(LoadError::new(sink.problems));
    };
    for (i, v) in list.elements.iter().enumerate() {
        let path = top.index(i);
        let Some(o) = r.object(&mut sink, v, &path, "a resource entry") else {
            continue;
        };
        if let Some(res) = resource_entry(&r, &mut sink, o, &path) {
            if out.iter().any(|x| x.arn == res.arn) {
                sink.push(r.error(
                    ProblemKind::Duplicate,
                    &path,
                    Some(o.range.start),
                    format!("the resource `{}` is listed twice", res.arn),
                ));
                continue;
            }
            out.push(res);
        }
    }
    sink.finish(out)
}

/// Applies non-overlapping `(start, end, replacement)` edits to `text`.
fn splice(text: &str, edits: &mut [(usize, usize, String)]) -> String {
    edits.sort_by_key(|e| e.0);
    let mut out = String::with_capacity(text.len() + edits.len() * 12);
    let mut pos = 0;
    for (start, end, with) in edits.iter() {
        if *start < pos {
            continue;
        }
        out.push_str(text.get(pos..*start).unwrap_or(""));
        out.push_str(with);
        pos = *end;
    }
    out.push_str(text.get(pos..).unwrap_or(""));
    out
}

fn resource_entry<'t>(
    r: &Reader<'t>,
    sink: &mut Sink,
    o: &Object<'t>,
    path: &JsonPath,
) -> Option<Resource> {
    let arn = r.req_string(sink, o, "Resource", path)?;
    let from_arn = arn
        .split(':')
        .nth(4)
        .filter(|a| !a.is_empty())
        .map(str::to_string);
    let account = match r.opt_string(sink, o, "Account", path) {
        Some(a) => a,
        None => match from_arn.clone() {
            Some(a) => a,
            None => {
                sink.push(r.error(
                    ProblemKind::MissingAccount,
                    path,
                    Some(o.range.start),
                    format!("the resource `{arn}` has no `Account`, and its ARN names none"),
                ));
                return None;
            }
        },
    };
    if !is_account_id(&account) {
        sink.push(r.error(
            ProblemKind::InvalidValue,
            &path.key("Account"),
            Some(o.range.start),
            format!("the account id `{account}` is not 12 digits"),
        ));
        return None;
    }
    if let Some(a) = from_arn
        && a != account
    {
        sink.push(r.error(
            ProblemKind::AccountMismatch,
            &path.key("Account"),
            Some(o.range.start),
            format!("resource `{arn}` is in account `{a}` by its ARN, not `{account}`"),
        ));
        return None;
    }
    let ppath = path.key("Policy");
    let policy = match o.get("Policy").map(|p| &p.value) {
        None | Some(Value::NullKeyword(_)) => None,
        Some(v) => {
            let empty = v
                .as_object()
                .and_then(|p| p.get_array("Statement"))
                .is_some_and(|a| a.elements.is_empty());
            if empty {
                sink.push(
                    r.warning(
                        ProblemKind::Rewritten,
                        &ppath.key("Statement"),
                        Some(v.range().start),
                        format!("the policy of `{arn}` has no statement; the resource is read as having no policy"),
                    )
                    .with_help("AWS rejects an empty `Statement` list; a policy without statements grants and denies nothing"),
                );
                None
            } else {
                Some(r.policy(sink, v, &ppath, PolicyType::Resource)?)
            }
        }
    };
    Some(Resource {
        arn,
        account,
        tags: Vec::new(),
        policy,
    })
}

/// Reads an Organizations tree with its SCPs (IAMSpy's `scp-*.json`; see the module
/// documentation). Policies of other types (tag, backup, …) are ignored with a warning.
pub fn load_org_tree(text: &str, file: &str) -> Result<Loaded<OrgTree>, LoadError> {
    let mut sink = Sink::default();
    let r = Reader::new(file, text, ParseMode::Lenient);
    let Some(root) = r.parse(&mut sink, "the organization tree") else {
        return Err(LoadError::new(sink.problems));
    };
    let top = JsonPath::root();
    let Some(ro) = r.object(&mut sink, &root, &top, "an organization tree") else {
        return Err(LoadError::new(sink.problems));
    };
    let mut tree = OrgTree::default();
    match r.req_string(&mut sink, ro, "Arn", &top) {
        Some(arn) => {
            // arn:aws:organizations::MANAGEMENT:root/o-xxx/r-xxx
            let parts: Vec<&str> = arn.splitn(6, ':').collect();
            let res: Vec<&str> = parts.get(5).map_or(Vec::new(), |r| r.split('/').collect());
            match (parts.get(4), res.first(), res.get(1)) {
                (Some(m), Some(&"root"), Some(o)) if is_account_id(m) => {
                    tree.management_account = (*m).to_string();
                    tree.id = (*o).to_string();
                }
                _ => sink.push(r.error(
                    ProblemKind::InvalidValue,
                    &top.key("Arn"),
                    Some(ro.range.start),
                    format!("`{arn}` is not an organization root ARN (`arn:aws:organizations::MANAGEMENT-ACCOUNT:root/o-…/r-…`)"),
                )),
            }
        }
        None => {
            return Err(LoadError::new(sink.problems));
        }
    }
    let mut ids: BTreeMap<String, String> = BTreeMap::new(); // policy name -> policy id
    // Depth-first walk with an explicit stack: (node, path, parent id).
    let mut stack: Vec<(&Object<'_>, JsonPath, Option<String>)> = vec![(ro, top, None)];
    while let Some((node, path, parent)) = stack.pop() {
        let Some(id) = r.req_string(&mut sink, node, "Id", &path) else {
            continue;
        };
        let name = r
            .opt_string(&mut sink, node, "Name", &path)
            .unwrap_or_else(|| id.clone());
        let ty = r.opt_string(&mut sink, node, "Type", &path);
        let is_account = match (&parent, ty.as_deref()) {
            (None, _) => false,
            (_, Some("Account" | "ACCOUNT")) => true,
            (_, Some("OU" | "ORGANIZATIONAL_UNIT")) => false,
            (_, _) => is_account_id(&id),
        };
        let (mut scps, mut rcps) = (Vec::new(), Vec::new());
        for (pp, v) in r.opt_list(&mut sink, node, "Policies", &path) {
            let Some(po) = r.object(&mut sink, v, &pp, "an attached policy") else {
                continue;
            };
            let (Some(pid), Some(pname)) = (
                r.req_string(&mut sink, po, "Id", &pp),
                r.req_string(&mut sink, po, "Name", &pp),
            ) else {
                continue;
            };
            let ptype = r
                .opt_string(&mut sink, po, "Type", &pp)
                .unwrap_or_else(|| "SERVICE_CONTROL_POLICY".to_string());
            let (pty, target, list) = match ptype.as_str() {
                "SERVICE_CONTROL_POLICY" => (PolicyType::Scp, &mut tree.scps, &mut scps),
                "RESOURCE_CONTROL_POLICY" => (PolicyType::Rcp, &mut tree.rcps, &mut rcps),
                other => {
                    sink.push(r.warning(
                        ProblemKind::Ignored,
                        &pp.key("Type"),
                        Some(po.range.start),
                        format!("the `{other}` policy `{pname}` is ignored (only SCPs and RCPs take part in authorization)"),
                    ));
                    continue;
                }
            };
            match ids.get(&pname) {
                Some(known) if *known != pid => {
                    sink.push(r.error(
                        ProblemKind::Duplicate,
                        &pp.key("Name"),
                        Some(po.range.start),
                        format!("two policies are named `{pname}` (`{known}` and `{pid}`)"),
                    ));
                    continue;
                }
                Some(_) => {}
                None => {
                    let doc = match po.get("Content") {
                        Some(c) => r.policy(&mut sink, &c.value, &pp.key("Content"), pty),
                        None => {
                            sink.push(r.error(
                                ProblemKind::Shape,
                                &pp,
                                Some(po.range.start),
                                format!("the policy `{pname}` has no `Content`"),
                            ));
                            None
                        }
                    };
                    ids.insert(pname.clone(), pid);
                    let Some(policy) = doc else { continue };
                    target.insert(
                        pname.clone(),
                        OrgPolicy {
                            name: pname.clone(),
                            policy,
                        },
                    );
                }
            }
            if !list.contains(&pname) {
                list.push(pname);
            }
        }
        if is_account {
            if !is_account_id(&id) {
                sink.push(r.error(
                    ProblemKind::InvalidValue,
                    &path.key("Id"),
                    Some(node.range.start),
                    format!("the account id `{id}` is not 12 digits"),
                ));
                continue;
            }
            if tree.accounts.contains_key(&id) {
                sink.push(r.error(
                    ProblemKind::Duplicate,
                    &path,
                    Some(node.range.start),
                    format!("account `{id}` appears twice in the tree"),
                ));
                continue;
            }
            tree.accounts.insert(
                id.clone(),
                Account {
                    id,
                    name,
                    parent,
                    scps,
                    rcps,
                    ..Account::default()
                },
            );
            continue;
        }
        if tree.units.contains_key(&id) {
            sink.push(r.error(
                ProblemKind::Duplicate,
                &path,
                Some(node.range.start),
                format!("the OU `{id}` appears twice in the tree"),
            ));
            continue;
        }
        let children = r.opt_list(&mut sink, node, "Children", &path);
        for (cp, cv) in children.into_iter().rev() {
            if let Some(co) = r.object(&mut sink, cv, &cp, "a child of the tree") {
                stack.push((co, cp, Some(id.clone())));
            }
        }
        tree.units.insert(
            id.clone(),
            OrgUnit {
                id,
                name,
                parent,
                scps,
                rcps,
            },
        );
    }
    sink.finish(tree)
}

/// Loads IAMSpy fixtures into one organization, as IAMSpy's tests combine them: the dumps'
/// accounts (attachments resolved against each dump's `Policies`, then the managed-policy
/// files), the resources of the resource lists, and, when a tree is given, the organization
/// (accounts of the tree without a dump are added without principals; dumps of accounts the
/// tree does not list are outside the organization, with a warning). A resource of an
/// account that nothing else names adds that account, outside the organization.
pub fn load_iamspy(
    files: &IamspyFiles,
    options: &LoadOptions,
) -> Result<Loaded<Organization>, LoadError> {
    let mut sink = Sink::default();
    let mut catalog = PolicyCatalog::new();
    let mut catalog_files = Vec::new();
    for p in &files.managed_policies {
        match PolicyCatalog::read(p) {
            Ok(c) => {
                sink.extend(c.warnings);
                catalog.merge(c.value);
            }
            Err(e) => sink.extend(e.into_problems()),
        }
        catalog_files.push(p.display().to_string());
    }
    let mut dumps = Vec::new();
    for p in &files.dumps {
        let file = p.display().to_string();
        match read_text(p, &file, "").and_then(|t| load_authorization_details(&t, &file, None)) {
            Ok(mut d) => {
                sink.extend(std::mem::take(&mut d.warnings));
                dumps.push(d);
            }
            Err(e) => sink.extend(e.into_problems()),
        }
    }
    let mut org = Organization::default();
    let mut resolver = Resolver::new(&catalog, options);
    resolver.catalog_files = catalog_files;
    for d in &dumps {
        resolver.add_own(&mut sink, &d.policies, &d.file);
    }
    for mut d in dumps {
        let id = d.account.id.clone();
        if org.accounts.contains_key(&id) {
            sink.push(Problem::error(
                ProblemKind::Duplicate,
                &d.file,
                "",
                None,
                format!("account `{id}` is described by two dumps; give one dump per account"),
            ));
            continue;
        }
        resolver.resolve(&mut sink, &mut d.account, &d.policies, &d.attachments);
        org.accounts.insert(id, d.account);
    }
    org.managed_policies = resolver.into_policies();
    if let Some(p) = &files.organization {
        let file = p.display().to_string();
        match read_text(p, &file, "").and_then(|t| load_org_tree(&t, &file)) {
            Ok(tree) => {
                sink.extend(tree.warnings);
                let t = tree.value;
                org.id = Some(t.id);
                org.management_account = Some(t.management_account);
                org.units = t.units;
                org.scps = t.scps;
                org.rcps = t.rcps;
                // The AWS managed policies every organization has, as a manifest defines
                // them, so that both loaders build the same model of an organization.
                for (map, name, ty, principal) in [
                    (&mut org.scps, FULL_AWS_ACCESS, PolicyType::Scp, false),
                    (&mut org.rcps, RCP_FULL_AWS_ACCESS, PolicyType::Rcp, true),
                ] {
                    map.entry(name.to_string()).or_insert_with(|| OrgPolicy {
                        name: name.to_string(),
                        policy: builtin(ty, principal),
                    });
                }
                for id in org.accounts.keys() {
                    if !t.accounts.contains_key(id) {
                        sink.push(Problem::warning(
                            ProblemKind::Ignored,
                            &file,
                            "",
                            None,
                            format!("account `{id}` has a dump but is not in the organization tree; it is outside the organization"),
                        ));
                    }
                }
                for (id, ta) in t.accounts {
                    let a = org.accounts.entry(id).or_insert_with(|| ta.clone());
                    a.name = ta.name;
                    a.parent = ta.parent;
                    a.scps = ta.scps;
                    a.rcps = ta.rcps;
                }
            }
            Err(e) => sink.extend(e.into_problems()),
        }
    }
    for p in &files.resources {
        let file = p.display().to_string();
        match read_text(p, &file, "").and_then(|t| load_resource_list(&t, &file)) {
            Ok(list) => {
                sink.extend(list.warnings);
                for res in list.value {
                    if org.resources.contains_key(&res.arn) {
                        sink.push(Problem::error(
                            ProblemKind::Duplicate,
                            &file,
                            "",
                            None,
                            format!("the resource `{}` is listed in two resource lists", res.arn),
                        ));
                        continue;
                    }
                    org.accounts
                        .entry(res.account.clone())
                        .or_insert_with(|| Account {
                            id: res.account.clone(),
                            name: res.account.clone(),
                            ..Account::default()
                        });
                    org.resources.insert(res.arn.clone(), res);
                }
            }
            Err(e) => sink.extend(e.into_problems()),
        }
    }
    sink.finish(org)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_principal_is_rewritten_on_the_same_line() {
        let text = "[{\"Resource\": \"arn:aws:s3:::b\", \"Account\": \"123456789012\",\n \"Policy\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\",\n \"Principal\": \"arn:aws:iam::123456789012:root\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}}]";
        let l = load_resource_list(text, "r.json").map_err(|e| e.to_string());
        let Ok(l) = l else { unreachable!("{l:?}") };
        assert_eq!(l.value.len(), 1);
        let w = l
            .warnings
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(
            w.starts_with("r.json:3:15: warning: `[0].Policy.Statement[0].Principal`"),
            "{w}"
        );
        let p = l.value.first().and_then(|r| r.policy.as_ref());
        let s = p.and_then(|p| p.statements.first());
        let e = s
            .and_then(|s| s.principal.as_ref())
            .map(|p| p.entries.len());
        assert_eq!(e, Some(1));
    }

    #[test]
    fn tree_with_ou() {
        let text = r#"{"Id": "r-ab12", "Arn": "arn:aws:organizations::111111111111:root/o-abcdefghij/r-ab12",
          "Name": "Root", "Policies": [{"Id": "p-FullAWSAccess", "Name": "FullAWSAccess", "Type": "SERVICE_CONTROL_POLICY",
             "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}],
          "Children": [{"Id": "ou-ab12-11111111", "Name": "Prod", "Type": "OU", "Policies": [], "Children": [
             {"Id": "222222222222", "Name": "prod", "Type": "Account", "Policies": [{"Id": "p-FullAWSAccess", "Name": "FullAWSAccess"}]}]}]}"#;
        let t = load_org_tree(text, "t.json").map_err(|e| e.to_string());
        let Ok(t) = t else { unreachable!("{t:?}") };
        let t = t.value;
        assert_eq!(t.id, "o-abcdefghij");
        assert_eq!(t.management_account, "111111111111");
        assert_eq!(t.units.len(), 2);
        assert_eq!(
            t.accounts
                .get("222222222222")
                .and_then(|a| a.parent.as_deref()),
            Some("ou-ab12-11111111")
        );
        assert_eq!(t.scps.len(), 1);
    }
}
