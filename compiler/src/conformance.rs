//! Conformance cases: one JSON object per line with policies, a request and the expected
//! decision (`corpus/conformance/README.md`).

use crate::diagnostics::Diagnostics;
use crate::json;
use crate::model::{Loc, PolicyType};
use crate::reference::{NamedPolicy, PolicySet, rcp_full_aws_access};
use gavel_runtime::{
    Context, ContextValue, Decision, Explanation, Principal, PrincipalKind, Request, services,
};
use jsonc_parser::ast::{Array, Object, Value};
use serde_json::json;

/// One conformance case.
#[derive(Clone, Debug)]
pub struct Case {
    /// The case's `id`.
    pub id: String,
    /// The policies, gathered as the reference interpreter takes them.
    pub set: PolicySet,
    /// The request.
    pub request: Request,
    /// The expected decision, if the case gives one.
    pub expect: Option<Decision>,
}

/// A case line that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseError {
    /// The case's id, when it could be read.
    pub id: Option<String>,
    /// What is wrong, with `line:column` positions.
    pub message: String,
}

/// Top-level fields that only annotate a case.
const ANNOTATIONS: &[&str] = &[
    "peer",
    "description",
    "spec",
    "features",
    "note",
    "notes",
    "comment",
    "source",
    "category",
];

struct Reader<'t> {
    line: usize,
    text: &'t str,
    errors: Vec<String>,
}

impl<'t> Reader<'t> {
    fn loc(&self, offset: usize) -> Loc {
        let mut l = Loc::at(self.text, offset);
        l.line = u32::try_from(self.line).unwrap_or(u32::MAX);
        l
    }

    fn err(&mut self, offset: usize, msg: impl Into<String>) {
        let l = self.loc(offset);
        self.errors
            .push(format!("{}:{}: {}", l.line, l.col, msg.into()));
    }

    fn string(&mut self, v: &Value<'_>, what: &str) -> Option<String> {
        match v {
            Value::StringLit(s) => Some(s.value.to_string()),
            other => {
                self.err(value_start(other), format!("`{what}` must be a string"));
                None
            }
        }
    }

    fn policy(
        &mut self,
        v: &Value<'_>,
        ty: PolicyType,
        default_name: String,
    ) -> Option<NamedPolicy> {
        let Some(obj) = v.as_object() else {
            self.err(
                value_start(v),
                format!("`{default_name}` must be a policy document (an object)"),
            );
            return None;
        };
        let (name, doc) = if obj.get("Statement").is_none() && obj.get("document").is_some() {
            let name = match obj.get("name") {
                Some(p) => self.string(&p.value, "name")?,
                None => default_name.clone(),
            };
            (name, &obj.get("document")?.value)
        } else {
            (default_name.clone(), v)
        };
        let mut diags = Diagnostics::default();
        let policy =
            json::policy_from_ast_with(doc, self.text, ty, json::ParseMode::Lenient, &mut diags);
        for d in diags.errors() {
            let l = self.loc(d.loc.offset as usize);
            self.errors
                .push(format!("{}:{}: {name}: {}", l.line, l.col, d.message));
        }
        if diags.has_errors() {
            return None;
        }
        Some(NamedPolicy {
            name,
            policy: policy?,
        })
    }

    fn policy_list(&mut self, v: &Value<'_>, ty: PolicyType, field: &str) -> Vec<NamedPolicy> {
        match v {
            Value::Array(a) => a
                .elements
                .iter()
                .enumerate()
                .filter_map(|(i, e)| self.policy(e, ty, format!("{field}[{i}]")))
                .collect(),
            Value::Object(_) => self.policy(v, ty, field.to_string()).into_iter().collect(),
            other => {
                self.err(
                    value_start(other),
                    format!("`{field}` must be a list of policies"),
                );
                Vec::new()
            }
        }
    }

    fn levels(
        &mut self,
        v: &Value<'_>,
        ty: PolicyType,
        field: &str,
    ) -> Option<Vec<Vec<NamedPolicy>>> {
        let Some(a) = v.as_array() else {
            self.err(
                value_start(v),
                format!("`{field}` must be a list of levels (lists of policies), root first"),
            );
            return None;
        };
        let mut levels = Vec::new();
        for (l, level) in a.elements.iter().enumerate() {
            let Some(pols) = level.as_array() else {
                self.err(
                    value_start(level),
                    format!("`{field}[{l}]` must be a list of policies"),
                );
                continue;
            };
            levels.push(
                pols.elements
                    .iter()
                    .enumerate()
                    .filter_map(|(i, e)| self.policy(e, ty, format!("{field}[{l}][{i}]")))
                    .collect(),
            );
        }
        Some(levels)
    }

    fn context(&mut self, obj: &Object<'_>) -> Context {
        let mut ctx = Context::new();
        for prop in &obj.properties {
            let key = prop.name.as_str();
            let value = match &prop.value {
                Value::NullKeyword(_) => continue,
                Value::Array(a) => match self.list(a, key) {
                    Some(l) => ContextValue::List(l),
                    None => continue,
                },
                v => match scalar(v) {
                    Some(s) => ContextValue::Single(s),
                    None => {
                        self.err(
                            prop.range.start,
                            format!(
                                "context key `{key}`: a value is a string or a list of strings"
                            ),
                        );
                        continue;
                    }
                },
            };
            if let Err(e) = ctx.insert(key, value) {
                self.err(prop.range.start, e.to_string());
            }
        }
        ctx
    }

    fn list(&mut self, a: &Array<'_>, key: &str) -> Option<Vec<String>> {
        let mut out = Vec::new();
        for e in &a.elements {
            match scalar(e) {
                Some(s) => out.push(s),
                None => {
                    self.err(
                        value_start(e),
                        format!("context key `{key}`: list elements must be strings"),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }
}

fn scalar(v: &Value<'_>) -> Option<String> {
    match v {
        Value::StringLit(s) => Some(s.value.to_string()),
        Value::NumberLit(n) => Some(n.value.to_string()),
        Value::BooleanLit(b) => Some(b.value.to_string()),
        _ => None,
    }
}

fn value_start(v: &Value<'_>) -> usize {
    use jsonc_parser::common::Ranged;
    v.range().start
}

/// Reads one case line; `line` is its 1-based line number in the file (for messages).
pub fn parse_case(text: &str, line: usize) -> Result<Case, CaseError> {
    let root = match json::parse_json(text) {
        Ok(v) => v,
        Err(diags) => {
            let message = diags
                .errors()
                .map(|d| format!("{line}:{}: {}", d.loc.col, d.message))
                .collect::<Vec<_>>()
                .join("; ");
            return Err(CaseError { id: None, message });
        }
    };
    let mut r = Reader {
        line,
        text,
        errors: Vec::new(),
    };
    let Some(obj) = root.as_object() else {
        return Err(CaseError {
            id: None,
            message: format!("{line}:1: a case is a JSON object"),
        });
    };
    let id = obj.get("id").and_then(|p| r.string(&p.value, "id"));
    let result = read_case(&mut r, obj, id.clone());
    match result {
        Some(case) if r.errors.is_empty() => Ok(case),
        _ => Err(CaseError {
            id,
            message: if r.errors.is_empty() {
                format!("{line}:1: the case could not be read")
            } else {
                r.errors.join("; ")
            },
        }),
    }
}

fn read_case(r: &mut Reader<'_>, obj: &Object<'_>, id: Option<String>) -> Option<Case> {
    const KNOWN: &[&str] = &[
        "id",
        "identityPolicies",
        "resourcePolicy",
        "permissionBoundaries",
        "sessionPolicy",
        "scps",
        "rcps",
        "request",
        "expect",
    ];
    for prop in &obj.properties {
        let name = prop.name.as_str();
        if !KNOWN.contains(&name) && !ANNOTATIONS.contains(&name) && !name.starts_with('_') {
            r.err(prop.range.start, format!("unknown case field `{name}`"));
        }
    }
    let Some(id) = id else {
        r.err(obj.range.start, "missing `id`");
        return None;
    };
    let Some(req_prop) = obj.get("request") else {
        r.err(obj.range.start, "missing `request`");
        return None;
    };
    let request = read_request(r, &req_prop.value)?;
    let mut set = PolicySet::default();
    match obj.get("identityPolicies") {
        Some(p) => set.identity = r.policy_list(&p.value, PolicyType::Identity, "identityPolicies"),
        None => r.err(
            obj.range.start,
            "missing `identityPolicies` (use [] for none)",
        ),
    }
    if let Some(p) = obj.get("resourcePolicy")
        && !matches!(p.value, Value::NullKeyword(_))
    {
        let ty = if services::is_role_arn(&request.resource) {
            PolicyType::Trust
        } else {
            PolicyType::Resource
        };
        set.resource = r.policy(&p.value, ty, "resourcePolicy".into());
    }
    if let Some(p) = obj.get("permissionBoundaries") {
        set.boundaries = r.policy_list(&p.value, PolicyType::Boundary, "permissionBoundaries");
    }
    if let Some(p) = obj.get("sessionPolicy")
        && !matches!(p.value, Value::NullKeyword(_))
    {
        set.session = r.policy_list(&p.value, PolicyType::Session, "sessionPolicy");
    }
    if let Some(p) = obj.get("scps") {
        set.scps = r.levels(&p.value, PolicyType::Scp, "scps");
    }
    if let Some(p) = obj.get("rcps") {
        set.rcps = r.levels(&p.value, PolicyType::Rcp, "rcps").map(|levels| {
            levels
                .into_iter()
                .map(|mut l| {
                    l.insert(0, rcp_full_aws_access());
                    l
                })
                .collect()
        });
    }
    let expect = match obj.get("expect") {
        None => None,
        Some(p) => {
            let s = r.string(&p.value, "expect")?;
            match Decision::parse(&s) {
                Some(d) => Some(d),
                None => {
                    r.err(
                        p.value_start(),
                        format!("`expect` is `Allow`, `ExplicitDeny` or `ImplicitDeny`, not `{s}`"),
                    );
                    None
                }
            }
        }
    };
    Some(Case {
        id,
        set,
        request,
        expect,
    })
}

trait PropStart {
    fn value_start(&self) -> usize;
}

impl PropStart for jsonc_parser::ast::ObjectProp<'_> {
    fn value_start(&self) -> usize {
        value_start(&self.value)
    }
}

fn read_request(r: &mut Reader<'_>, v: &Value<'_>) -> Option<Request> {
    let Some(obj) = v.as_object() else {
        r.err(value_start(v), "`request` must be an object");
        return None;
    };
    const KNOWN: &[&str] = &[
        "principal",
        "action",
        "resource",
        "resourceAccount",
        "context",
        "roleArn",
        "parentArn",
    ];
    for prop in &obj.properties {
        if !KNOWN.contains(&prop.name.as_str()) {
            r.err(
                prop.range.start,
                format!("unknown request field `{}`", prop.name.as_str()),
            );
        }
    }
    let field = |name: &str, r: &mut Reader<'_>| -> Option<String> {
        match obj.get(name) {
            Some(p) => r.string(&p.value, name),
            None => {
                r.err(obj.range.start, format!("`request` is missing `{name}`"));
                None
            }
        }
    };
    let principal_text = field("principal", r);
    let action = field("action", r);
    let resource = field("resource", r);
    let (principal_text, action, resource) = (principal_text?, action?, resource?);
    if !action.contains(':') {
        r.err(
            obj.range.start,
            format!("`request.action` must be `service:Action`, not `{action}`"),
        );
    }
    let resource_account = match obj.get("resourceAccount") {
        Some(p) => Some(r.string(&p.value, "resourceAccount")?),
        None => None,
    };
    let context = match obj.get("context") {
        Some(p) => match p.value.as_object() {
            Some(o) => r.context(o),
            None => {
                r.err(p.value_start(), "`request.context` must be an object");
                Context::new()
            }
        },
        None => Context::new(),
    };
    let mut principal = match Principal::parse(&principal_text) {
        Ok(p) => p,
        Err(e) => {
            r.err(
                obj.get("principal").map_or(0, |p| p.value_start()),
                e.to_string(),
            );
            return None;
        }
    };
    let action_lower = action.to_lowercase();
    if principal.kind == PrincipalKind::Service && action_lower == "sts:assumerolewithwebidentity" {
        principal = Principal::federated_identity(PrincipalKind::WebIdentity, &principal_text);
    }
    if principal.kind == PrincipalKind::RoleSession {
        let role_arn = match obj.get("roleArn") {
            Some(p) => r.string(&p.value, "roleArn"),
            None => context
                .get_single("aws:PrincipalArn")
                .filter(|a| services::is_role_arn(a))
                .map(str::to_string),
        };
        if let Some(a) = role_arn {
            principal.set_role_arn(&a);
        }
    }
    if let Some(p) = obj.get("parentArn") {
        principal.parent_arn = r.string(&p.value, "parentArn");
    }
    if matches!(
        principal.kind,
        PrincipalKind::IamUser | PrincipalKind::RoleSession
    ) {
        principal.unique_id = context.get_single("aws:userid").map(str::to_string);
    }
    Some(Request {
        principal,
        action,
        resource,
        resource_account,
        context,
        session: None,
        time: None,
    })
}

/// The JSON answer line for a decided case: `{"id", "decision", "reasons": [...], ...}`.
pub fn answer(id: &str, e: &Explanation, expect: Option<Decision>) -> serde_json::Value {
    let reasons: Vec<serde_json::Value> = e
        .statements
        .iter()
        .map(|s| {
            json!({
                "policyKind": s.kind.label(),
                "policy": s.policy,
                "statement": s.index,
                "sid": s.sid,
                "effect": s.effect.as_str(),
            })
        })
        .collect();
    let mut v = json!({
        "id": id,
        "decision": e.decision.as_str(),
        "reasons": reasons,
        "basis": e.basis.describe(),
    });
    if let (Some(exp), Some(obj)) = (expect, v.as_object_mut()) {
        obj.insert("expect".into(), json!(exp.as_str()));
        obj.insert("agree".into(), json!(exp == e.decision));
    }
    v
}

// ----- org-level cases -----

use crate::org::{OrgRequest, Session};
use serde_json::Value as JsonValue;

/// One org-level case: `{"id", "request": {...}, "expect"}`.
pub struct OrgCase {
    /// The case's id.
    pub id: String,
    /// The request.
    pub request: OrgRequest,
    /// The expected decision.
    pub expect: Option<Decision>,
}

fn context_of(v: &JsonValue) -> Result<Context, String> {
    let mut ctx = Context::new();
    let Some(obj) = v.as_object() else {
        return Err("`request.context` must be an object".into());
    };
    for (k, v) in obj {
        let value = match v {
            JsonValue::Null => continue,
            JsonValue::String(s) => ContextValue::Single(s.clone()),
            JsonValue::Number(n) => ContextValue::Single(n.to_string()),
            JsonValue::Bool(b) => ContextValue::Single(b.to_string()),
            JsonValue::Array(items) => ContextValue::List(
                items
                    .iter()
                    .map(|x| match x {
                        JsonValue::String(s) => Ok(s.clone()),
                        JsonValue::Number(n) => Ok(n.to_string()),
                        JsonValue::Bool(b) => Ok(b.to_string()),
                        _ => Err(format!("context key `{k}`: list elements must be strings")),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            JsonValue::Object(_) => {
                return Err(format!("context key `{k}`: a value is a string or a list"));
            }
        };
        ctx.insert(k, value).map_err(|e| e.to_string())?;
    }
    Ok(ctx)
}

/// Reads one org-level case line: `{"id", "request": {principal, action, resource,
/// resourceAccount, context, session, time}, "expect"}` plus annotations.
pub fn parse_org_case(line: &str) -> Result<OrgCase, CaseError> {
    parse_org_case_inner(line).map_err(|(id, message)| CaseError { id, message })
}

fn parse_org_case_inner(line: &str) -> Result<OrgCase, (Option<String>, String)> {
    let v: JsonValue = serde_json::from_str(line).map_err(|e| (None, format!("not JSON: {e}")))?;
    let id = v.get("id").and_then(JsonValue::as_str).map(str::to_string);
    let fail = |m: String| (id.clone(), m);
    let id_s = id.clone().ok_or_else(|| fail("missing `id`".into()))?;
    let r = v
        .get("request")
        .ok_or_else(|| fail("missing `request`".into()))?;
    let field = |name: &str| -> Result<String, (Option<String>, String)> {
        r.get(name)
            .and_then(JsonValue::as_str)
            .map(str::to_string)
            .ok_or_else(|| fail(format!("`request.{name}` must be a string")))
    };
    if let Some(obj) = r.as_object() {
        for k in obj.keys() {
            if ![
                "principal",
                "action",
                "resource",
                "resourceAccount",
                "context",
                "session",
                "time",
            ]
            .contains(&k.as_str())
            {
                return Err(fail(format!("unknown request field `{k}`")));
            }
        }
    }
    let session: Option<Session> = match r.get("session") {
        None | Some(JsonValue::Null) => None,
        Some(s) => Some(
            serde_json::from_value(s.clone())
                .map_err(|e| fail(format!("`request.session`: {e}")))?,
        ),
    };
    let time = match r.get("time") {
        None | Some(JsonValue::Null) => None,
        Some(JsonValue::Number(n)) => n.as_i64(),
        Some(JsonValue::String(s)) => Some(crate::org::resolve::parse_time(s).map_err(fail)?),
        Some(_) => return Err(fail("`request.time` is epoch seconds or RFC 3339".into())),
    };
    let request = OrgRequest {
        principal: field("principal")?,
        action: field("action")?,
        resource: r
            .get("resource")
            .and_then(JsonValue::as_str)
            .unwrap_or("*")
            .to_string(),
        resource_account: r
            .get("resourceAccount")
            .and_then(JsonValue::as_str)
            .map(str::to_string),
        context: match r.get("context") {
            Some(c) => context_of(c).map_err(fail)?,
            None => Context::new(),
        },
        session,
        time,
    };
    let expect =
        match v.get("expect") {
            None => None,
            Some(e) => Some(e.as_str().and_then(Decision::parse).ok_or_else(|| {
                fail("`expect` is `Allow`, `ExplicitDeny` or `ImplicitDeny`".into())
            })?),
        };
    Ok(OrgCase {
        id: id_s,
        request,
        expect,
    })
}
