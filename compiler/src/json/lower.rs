//! From the located JSON tree to the policy model, checking every rule of spec §2.4-§2.5.
//!
//! Each check reports and carries on, so one run lists every problem of a document. A statement
//! or policy that had an error yields `None`; the caller only looks at the diagnostics then.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::json::syntax::{LineIndex, check_duplicate_keys, prop_name};
use crate::model::operator::{OperatorError, edit_distance};
use crate::model::policy::Effect;
use crate::model::value::{ConditionValue, parse_base64, parse_bool, parse_cidr};
use crate::model::{
    ActionPattern, Actions, CondValue, ConditionClause, Decimal, Family, Instant, Loc, Node,
    Operator, Part, Policy, PolicyType, PrincipalEntry, PrincipalType, Principals, Resources,
    Statement, Template, Version,
};
use jsonc_parser::ast::{ObjectProp, StringLit, Value};
use jsonc_parser::common::{Range, Ranged};
use std::collections::HashMap;

const POLICY_ELEMENTS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];
const PRINCIPAL_KEYS: [&str; 4] = ["AWS", "Service", "Federated", "CanonicalUser"];

/// Services whose ARNs have no resource-type word: the resource part starts with a name
/// (S3 bucket, SQS queue, SNS topic, API Gateway API id, CodeCommit repository, CodePipeline
/// pipeline).
const NO_TYPE_WORD: [&str; 6] = [
    "s3",
    "sqs",
    "sns",
    "execute-api",
    "codecommit",
    "codepipeline",
];

/// Lowers one policy document; every problem goes to `out`.
pub(crate) fn lower_policy(
    value: &Value<'_>,
    lines: &LineIndex<'_>,
    ty: PolicyType,
    mode: super::ParseMode,
    out: &mut Diagnostics,
) -> Option<Policy> {
    // Checked before anything else looks at the document, so a huge one costs no more than
    // the JSON parse that the whole input's own limit already bounds.
    let range = value.range();
    let size = range.end.saturating_sub(range.start);
    if size > super::MAX_POLICY_BYTES {
        out.push(super::too_large(lines.loc(range.start), size));
        return None;
    }
    let mut found = Diagnostics::new();
    check_duplicate_keys(value, lines, &mut found);
    let mut lower = Lower {
        lines,
        ty,
        lenient: mode == super::ParseMode::Lenient,
        v2012: true,
        out: found.into_vec(),
    };
    let policy = lower.policy(value);
    let mut diags = Diagnostics::from(lower.out);
    diags.sort();
    let failed = diags.has_errors();
    out.extend(diags);
    if failed { None } else { policy }
}

/// A JSON value's kind, for "found …" in messages.
fn kind(v: &Value<'_>) -> &'static str {
    match v {
        Value::StringLit(_) => "a string",
        Value::NumberLit(_) => "a number",
        Value::BooleanLit(_) => "a boolean",
        Value::NullKeyword(_) => "`null`",
        Value::Object(_) => "an object",
        Value::Array(_) => "a list",
    }
}

/// The closest known name: same spelling in another case first, then a small edit distance.
fn suggest(name: &str, candidates: &[&'static str]) -> Option<&'static str> {
    if let Some(c) = candidates.iter().find(|c| c.eq_ignore_ascii_case(name)) {
        return Some(c);
    }
    let lower = name.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&c.to_ascii_lowercase(), &lower), *c))
        .filter(|(d, c)| *d <= 2 && *d < c.len() / 2 + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The statement elements as found, first occurrence of each.
#[derive(Default)]
struct Elements<'v, 'a> {
    sid: Option<&'v ObjectProp<'a>>,
    effect: Option<&'v ObjectProp<'a>>,
    principal: Option<&'v ObjectProp<'a>>,
    not_principal: Option<&'v ObjectProp<'a>>,
    action: Option<&'v ObjectProp<'a>>,
    not_action: Option<&'v ObjectProp<'a>>,
    resource: Option<&'v ObjectProp<'a>>,
    not_resource: Option<&'v ObjectProp<'a>>,
    condition: Option<&'v ObjectProp<'a>>,
}

struct Lower<'l> {
    lines: &'l LineIndex<'l>,
    ty: PolicyType,
    /// Lenient import (spec §2.5 items 7-8, A-8): keep what AWS would reject, with its
    /// fail-closed meaning, and warn.
    lenient: bool,
    /// Policy variables are recognized (`Version` is `2012-10-17`).
    v2012: bool,
    out: Vec<Diagnostic>,
}

impl Lower<'_> {
    fn loc(&self, r: Range) -> Loc {
        self.lines.loc(r.start)
    }

    fn error(&self, code: &'static str, r: Range, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, self.loc(r), message).with_len(r.end.saturating_sub(r.start))
    }

    fn warning(&self, code: &'static str, r: Range, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(code, self.loc(r), message).with_len(r.end.saturating_sub(r.start))
    }

    /// In lenient mode, turns an error that has a defined lenient meaning into a warning;
    /// returns true when the error stands.
    fn push_rejectable(&mut self, mut d: Diagnostic) -> bool {
        if self.lenient {
            d.severity = crate::diagnostics::Severity::Warning;
            d.message.push_str(" (kept in lenient mode)");
            self.push(d);
            return false;
        }
        self.push(d);
        true
    }

    fn push(&mut self, d: Diagnostic) {
        self.out.push(d);
    }

    fn error_count(&self) -> usize {
        self.out.iter().filter(|d| d.is_error()).count()
    }

    /// The source text of a node.
    fn src(&self, r: Range) -> &str {
        self.lines.text().get(r.start..r.end).unwrap_or("")
    }

    // ----- policy -----

    fn policy(&mut self, value: &Value<'_>) -> Option<Policy> {
        let Value::Object(obj) = value else {
            let d = self
                .error(
                    "policy-not-object",
                    value.range(),
                    format!("a policy must be a JSON object, found {}", kind(value)),
                )
                .with_help(
                    "write the policy as `{\"Version\": \"2012-10-17\", \"Statement\": [ … ]}`",
                );
            self.push(d);
            return None;
        };
        let (mut version_prop, mut id_prop, mut statement_prop) = (None, None, None);
        let mut statement_near_miss = false;
        for prop in &obj.properties {
            let (name, range) = prop_name(&prop.name);
            match name {
                "Version" => {
                    version_prop.get_or_insert(prop);
                }
                "Id" => {
                    id_prop.get_or_insert(prop);
                }
                "Statement" => {
                    statement_prop.get_or_insert(prop);
                }
                _ => {
                    let guess = suggest(name, &POLICY_ELEMENTS);
                    statement_near_miss |= guess == Some("Statement");
                    let help = if let Some(g) = guess {
                        if g.eq_ignore_ascii_case(name) {
                            format!("element names are case-sensitive: write `{g}`")
                        } else {
                            format!("did you mean `{g}`?")
                        }
                    } else if STATEMENT_ELEMENTS.contains(&name) {
                        format!(
                            "`{name}` belongs inside a statement: `\"Statement\": [{{\"{name}\": …}}]`"
                        )
                    } else {
                        "a policy has only `Version`, `Id` and `Statement`".to_string()
                    };
                    let d = self
                        .error(
                            "unknown-element",
                            range,
                            format!("unknown policy element `{name}`"),
                        )
                        .with_help(help);
                    self.push(d);
                }
            }
        }

        // Version first: it decides how every string below is read.
        let version = version_prop.and_then(|p| self.version(p));
        self.v2012 = match (&version, version_prop) {
            (Some(v), _) => v.node == Version::V2012_10_17,
            // An invalid Version was reported; read variables as 2012 to avoid follow-on noise.
            (None, Some(_)) => true,
            (None, None) => false,
        };
        let has_dollar_brace = self.src(obj.range).contains("${");
        match (&version, version_prop) {
            (None, None) if has_dollar_brace => {
                let d = self
                    .warning(
                        "variables-without-version",
                        Range::new(obj.range.start, obj.range.start + 1),
                        "this policy has no `Version`, so `${…}` is plain text, not a policy variable",
                    )
                    .with_help("add `\"Version\": \"2012-10-17\"` to use policy variables");
                self.push(d);
            }
            (Some(v), Some(p)) if v.node == Version::V2008_10_17 && has_dollar_brace => {
                let d = self
                    .warning(
                        "variables-in-2008-policy",
                        p.value.range(),
                        "policy variables are not recognized in `2008-10-17` policies; `${…}` is plain text here",
                    )
                    .with_help("use `\"Version\": \"2012-10-17\"` to use policy variables");
                self.push(d);
            }
            _ => {}
        }

        let id = id_prop.and_then(|p| self.id(p));

        let mut statements = Vec::new();
        match statement_prop {
            None => {
                if !statement_near_miss {
                    let d = self
                        .error(
                            "missing-statement",
                            Range::new(obj.range.start, obj.range.start + 1),
                            "the policy has no `Statement` element",
                        )
                        .with_help("add `\"Statement\": [ … ]` with at least one statement");
                    self.push(d);
                }
            }
            Some(prop) => match &prop.value {
                Value::Object(_) => {
                    if let Some(s) = self.statement(&prop.value) {
                        statements.push(s);
                    }
                }
                Value::Array(arr) if arr.elements.is_empty() => {
                    let d = self
                        .error(
                            "empty-statement",
                            arr.range,
                            "`Statement` must contain at least one statement",
                        )
                        .with_help("add a statement object such as `{\"Effect\": \"Allow\", \"Action\": \"…\", \"Resource\": \"…\"}`");
                    self.push(d);
                }
                Value::Array(arr) => {
                    for element in &arr.elements {
                        if let Some(s) = self.statement(element) {
                            statements.push(s);
                        }
                    }
                }
                other => {
                    let d = self
                        .error(
                            "statement-not-object",
                            other.range(),
                            format!(
                                "`Statement` must be a statement object or a list of them, found {}",
                                kind(other)
                            ),
                        )
                        .with_help("write `\"Statement\": [{\"Effect\": …}]`");
                    self.push(d);
                }
            },
        }
        if matches!(
            self.ty,
            PolicyType::Identity | PolicyType::Boundary | PolicyType::Session | PolicyType::Trust
        ) {
            self.duplicate_sids(&statements);
        }
        Some(Policy {
            version,
            id,
            statements,
            loc: self.loc(obj.range),
        })
    }

    fn version(&mut self, prop: &ObjectProp<'_>) -> Option<Node<Version>> {
        let range = prop.value.range();
        let parsed = match &prop.value {
            Value::StringLit(s) => match s.value.as_ref() {
                "2012-10-17" => Some(Version::V2012_10_17),
                "2008-10-17" => Some(Version::V2008_10_17),
                _ => None,
            },
            _ => None,
        };
        match parsed {
            Some(v) => Some(Node::new(v, self.loc(range))),
            None => {
                let found = match &prop.value {
                    Value::StringLit(s) => format!("`{}`", s.value),
                    other => kind(other).to_string(),
                };
                let d = self
                    .error(
                        "invalid-version",
                        range,
                        format!("`Version` must be `2012-10-17` or `2008-10-17`, found {found}"),
                    )
                    .with_help("use `\"Version\": \"2012-10-17\"`, the current policy language (the date is a language version, not the policy's date)");
                self.push(d);
                None
            }
        }
    }

    fn id(&mut self, prop: &ObjectProp<'_>) -> Option<Node<String>> {
        let (_, key_range) = prop_name(&prop.name);
        if matches!(
            self.ty,
            PolicyType::Identity | PolicyType::Boundary | PolicyType::Session
        ) {
            let d = self
                .error(
                    "id-not-allowed",
                    key_range,
                    format!("`Id` is not allowed in {}", self.ty.describe()),
                )
                .with_help("delete `Id`; only resource-based policies carry one (name statements with `Sid` instead)");
            self.push(d);
            return None;
        }
        match &prop.value {
            Value::StringLit(s) => Some(Node::new(s.value.to_string(), self.loc(s.range))),
            other => {
                let d = self.error(
                    "id-not-string",
                    other.range(),
                    format!("`Id` must be a string, found {}", kind(other)),
                );
                self.push(d);
                None
            }
        }
    }

    fn duplicate_sids(&mut self, statements: &[Node<Statement>]) {
        let mut seen: HashMap<&str, Loc> = HashMap::new();
        let mut found = Vec::new();
        for s in statements {
            if let Some(sid) = &s.sid {
                if sid.node.is_empty() {
                    continue;
                }
                if let Some(first) = seen.get(sid.node.as_str()) {
                    found.push(
                        Diagnostic::warning(
                            "duplicate-sid",
                            sid.loc,
                            format!("the `Sid` `{}` is used by more than one statement", sid.node),
                        )
                        .with_help(format!(
                            "IAM requires statement ids to be unique within a policy; the first is at line {}, column {}",
                            first.line, first.col
                        )),
                    );
                } else {
                    seen.insert(&sid.node, sid.loc);
                }
            }
        }
        self.out.extend(found);
    }

    // ----- statement -----

    fn statement(&mut self, value: &Value<'_>) -> Option<Node<Statement>> {
        let Value::Object(obj) = value else {
            let d = self
                .error(
                    "statement-not-object",
                    value.range(),
                    format!("a statement must be a JSON object, found {}", kind(value)),
                )
                .with_help(
                    "write each statement as `{\"Effect\": …, \"Action\": …, \"Resource\": …}`",
                );
            self.push(d);
            return None;
        };
        let errors_before = self.error_count();
        let start = Range::new(obj.range.start, obj.range.start + 1);
        let mut el = Elements::default();
        for prop in &obj.properties {
            let (name, range) = prop_name(&prop.name);
            let slot = match name {
                "Sid" => &mut el.sid,
                "Effect" => &mut el.effect,
                "Principal" => &mut el.principal,
                "NotPrincipal" => &mut el.not_principal,
                "Action" => &mut el.action,
                "NotAction" => &mut el.not_action,
                "Resource" => &mut el.resource,
                "NotResource" => &mut el.not_resource,
                "Condition" => &mut el.condition,
                _ => {
                    let help = if let Some(g) = suggest(name, &STATEMENT_ELEMENTS) {
                        if g.eq_ignore_ascii_case(name) {
                            format!("element names are case-sensitive: write `{g}`")
                        } else {
                            format!("did you mean `{g}`?")
                        }
                    } else if POLICY_ELEMENTS.contains(&name) {
                        format!(
                            "`{name}` belongs at the top level of the policy, not inside a statement"
                        )
                    } else {
                        "a statement has only `Sid`, `Effect`, `Principal`, `NotPrincipal`, `Action`, `NotAction`, `Resource`, `NotResource` and `Condition`".to_string()
                    };
                    let d = self
                        .error(
                            "unknown-element",
                            range,
                            format!("unknown statement element `{name}`"),
                        )
                        .with_help(help);
                    self.push(d);
                    continue;
                }
            };
            slot.get_or_insert(prop);
        }

        let sid = el.sid.and_then(|p| self.sid(p));
        let effect = self.effect(el.effect, start);
        let principal = self.statement_principal(&el, effect.as_ref().map(|e| e.node), start);
        let action = self.statement_actions(&el, start);
        let resource = self.statement_resources(&el, start);
        let condition = match el.condition {
            Some(p) => self.condition(&p.value),
            None => Some(Vec::new()),
        };

        if self.ty == PolicyType::Rcp {
            self.rcp_rules(
                &el,
                effect.as_ref(),
                principal.as_ref(),
                action.as_ref(),
                resource.as_ref(),
            );
        }

        if self.error_count() > errors_before {
            return None;
        }
        let statement = Statement {
            sid,
            effect: effect?,
            principal,
            action: action?,
            resource,
            condition: condition?,
        };
        Some(Node::new(statement, self.loc(obj.range)))
    }

    fn sid(&mut self, prop: &ObjectProp<'_>) -> Option<Node<String>> {
        let Value::StringLit(s) = &prop.value else {
            let d = self.error(
                "sid-not-string",
                prop.value.range(),
                format!("`Sid` must be a string, found {}", kind(&prop.value)),
            );
            self.push(d);
            return None;
        };
        let iam = matches!(
            self.ty,
            PolicyType::Identity | PolicyType::Boundary | PolicyType::Session | PolicyType::Trust
        );
        if iam && !s.value.chars().all(|c| c.is_ascii_alphanumeric()) {
            let d = self
                .warning(
                    "sid-charset",
                    s.range,
                    format!("IAM allows only letters and digits in a `Sid`, found `{}`", s.value),
                )
                .with_help("other services accept more characters, but IAM rejects this `Sid` in identity-based and trust policies");
            self.push(d);
        }
        Some(Node::new(s.value.to_string(), self.loc(s.range)))
    }

    fn effect(&mut self, prop: Option<&ObjectProp<'_>>, start: Range) -> Option<Node<Effect>> {
        let Some(prop) = prop else {
            let d = self
                .error("missing-effect", start, "this statement has no `Effect`")
                .with_help("add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`");
            self.push(d);
            return None;
        };
        let Value::StringLit(s) = &prop.value else {
            let d = self
                .error(
                    "invalid-effect",
                    prop.value.range(),
                    format!(
                        "`Effect` must be `Allow` or `Deny`, found {}",
                        kind(&prop.value)
                    ),
                )
                .with_help("write `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`");
            self.push(d);
            return None;
        };
        match s.value.as_ref() {
            "Allow" => Some(Node::new(Effect::Allow, self.loc(s.range))),
            "Deny" => Some(Node::new(Effect::Deny, self.loc(s.range))),
            other => {
                let help = if other.eq_ignore_ascii_case("allow") {
                    "`Effect` is case-sensitive: write `Allow`".to_string()
                } else if other.eq_ignore_ascii_case("deny") {
                    "`Effect` is case-sensitive: write `Deny`".to_string()
                } else {
                    "write `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`".to_string()
                };
                let d = self
                    .error(
                        "invalid-effect",
                        s.range,
                        format!("`Effect` must be `Allow` or `Deny`, found `{other}`"),
                    )
                    .with_help(help);
                self.push(d);
                None
            }
        }
    }

    // ----- Principal / NotPrincipal -----

    fn statement_principal(
        &mut self,
        el: &Elements<'_, '_>,
        effect: Option<Effect>,
        start: Range,
    ) -> Option<Node<Principals>> {
        let ty = self.ty;
        let forbidden = matches!(
            ty,
            PolicyType::Identity | PolicyType::Boundary | PolicyType::Session | PolicyType::Scp
        );
        let key_range = |p: &ObjectProp<'_>| prop_name(&p.name).1;
        if let (Some(_), Some(np)) = (el.principal, el.not_principal) {
            let d = self
                .error(
                    "principal-and-notprincipal",
                    key_range(np),
                    "a statement cannot have both `Principal` and `NotPrincipal`",
                )
                .with_help("keep one of them");
            self.push(d);
            return None;
        }
        let (prop, negated) = match (el.principal, el.not_principal) {
            (Some(p), _) => (p, false),
            (None, Some(p)) => (p, true),
            (None, None) => {
                if ty.has_principal() {
                    let help = match ty {
                        PolicyType::Rcp => {
                            "add `\"Principal\": \"*\"`; an RCP always names every principal"
                        }
                        PolicyType::Trust => {
                            "add the principal allowed to assume the role, e.g. `\"Principal\": {\"Service\": \"ec2.amazonaws.com\"}`"
                        }
                        _ => {
                            "add the principal the statement is about, e.g. `\"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:root\"}`"
                        }
                    };
                    let d = self
                        .error(
                            "missing-principal",
                            start,
                            format!("a statement in {} must have a `Principal`", ty.describe()),
                        )
                        .with_help(help);
                    self.push(d);
                }
                return None;
            }
        };
        let element = if negated { "NotPrincipal" } else { "Principal" };
        if forbidden {
            let help = match ty {
                PolicyType::Scp => "an SCP applies to every principal of the accounts it is attached to; delete it and use a condition on `aws:PrincipalArn` to narrow the statement".to_string(),
                _ => format!(
                    "{} applies to the identity it is attached to; delete `{element}`, or attach the document as a resource-based policy",
                    ty.describe()
                ),
            };
            let d = self
                .error(
                    "principal-not-allowed",
                    key_range(prop),
                    format!("`{element}` is not allowed in {}", ty.describe()),
                )
                .with_help(help);
            self.push(d);
            return None;
        }
        if negated {
            if matches!(ty, PolicyType::Trust | PolicyType::Rcp) {
                let d = self
                    .error(
                        "notprincipal-not-allowed",
                        key_range(prop),
                        format!("`NotPrincipal` is not allowed in {}", ty.describe()),
                    )
                    .with_help(if ty == PolicyType::Rcp {
                        "use `\"Principal\": \"*\"` with a condition on `aws:PrincipalArn`"
                    } else {
                        "list the principals that may assume the role in `Principal`"
                    });
                self.push(d);
                return None;
            }
            if effect == Some(Effect::Allow) {
                let d = self
                    .error(
                        "notprincipal-allow",
                        key_range(prop),
                        "`NotPrincipal` can only be used with `\"Effect\": \"Deny\"`",
                    )
                    .with_help("AWS does not support `NotPrincipal` with `Allow`; name the allowed principals in `Principal`");
                if self.push_rejectable(d) {
                    return None;
                }
            }
        }
        let principals = self.principals(&prop.value, element, negated)?;
        Some(Node::new(principals, self.loc(prop.value.range())))
    }

    fn principals(
        &mut self,
        value: &Value<'_>,
        element: &str,
        negated: bool,
    ) -> Option<Principals> {
        match value {
            Value::StringLit(s) if s.value == "*" => {
                return Some(Principals {
                    negated,
                    wildcard: true,
                    entries: Vec::new(),
                });
            }
            Value::StringLit(s) => {
                let v = s.value.as_ref();
                let help = if v.ends_with(".amazonaws.com") || v.ends_with(".amazon.com") {
                    format!("write `\"{element}\": {{\"Service\": \"{v}\"}}`")
                } else if v.starts_with("arn:")
                    || (v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()))
                {
                    format!("write `\"{element}\": {{\"AWS\": \"{v}\"}}`")
                } else {
                    format!(
                        "write `\"{element}\": \"*\"` or an object such as `{{\"AWS\": \"arn:aws:iam::123456789012:root\"}}`"
                    )
                };
                let d = self
                    .error(
                        "invalid-principal",
                        s.range,
                        format!("`{element}` must be `\"*\"` or an object that names principals, found `{v}`"),
                    )
                    .with_help(help);
                self.push(d);
                return None;
            }
            Value::Object(_) => {}
            other => {
                let d = self
                    .error(
                        "invalid-principal",
                        other.range(),
                        format!("`{element}` must be `\"*\"` or an object that names principals, found {}", kind(other)),
                    )
                    .with_help("write e.g. `{\"AWS\": [\"arn:aws:iam::123456789012:root\"]}`");
                self.push(d);
                return None;
            }
        }
        let Value::Object(obj) = value else {
            return None;
        };
        if obj.properties.is_empty() {
            let d = self
                .error(
                    "empty-principal",
                    obj.range,
                    format!("`{element}` names no principal"),
                )
                .with_help(
                    "add a key `AWS`, `Service`, `Federated` or `CanonicalUser`, or write `\"*\"`",
                );
            self.push(d);
            return None;
        }
        let errors_before = self.error_count();
        let mut entries = Vec::new();
        for prop in &obj.properties {
            let (name, range) = prop_name(&prop.name);
            let kind = match name {
                "AWS" => PrincipalType::Aws,
                "Service" => PrincipalType::Service,
                "Federated" => PrincipalType::Federated,
                "CanonicalUser" => PrincipalType::CanonicalUser,
                _ => {
                    let help = match suggest(name, &PRINCIPAL_KEYS) {
                        Some(g) if g.eq_ignore_ascii_case(name) => {
                            format!("principal types are case-sensitive: write `{g}`")
                        }
                        Some(g) => format!("did you mean `{g}`?"),
                        None => "the principal types are `AWS`, `Service`, `Federated` and `CanonicalUser`".to_string(),
                    };
                    let d = self
                        .error(
                            "unknown-principal-type",
                            range,
                            format!("unknown principal type `{name}`"),
                        )
                        .with_help(help);
                    self.push(d);
                    continue;
                }
            };
            if kind == PrincipalType::CanonicalUser && self.ty != PolicyType::Resource {
                let d = self
                    .error(
                        "canonical-user-not-allowed",
                        range,
                        format!("`CanonicalUser` is not allowed in {}", self.ty.describe()),
                    )
                    .with_help("canonical user ids name principals only in S3 bucket policies; use `AWS` with an account id or ARN");
                self.push(d);
                continue;
            }
            let Some(values) = self.string_list(&format!("{element}.{name}"), &prop.value) else {
                continue;
            };
            for s in values {
                if self.principal_value(kind, name, s) {
                    entries.push(Node::new(
                        PrincipalEntry {
                            kind,
                            value: s.value.to_string(),
                        },
                        self.loc(s.range),
                    ));
                }
            }
        }
        if self.error_count() > errors_before {
            return None;
        }
        Some(Principals {
            negated,
            wildcard: false,
            entries,
        })
    }

    /// Checks one principal value; false when it was reported.
    fn principal_value(&mut self, kind: PrincipalType, key: &str, s: &StringLit<'_>) -> bool {
        let v = s.value.as_ref();
        if v.is_empty() {
            let d = self
                .error(
                    "empty-principal",
                    s.range,
                    format!("empty `{key}` principal"),
                )
                .with_help("write the principal's ARN, account id or name");
            self.push(d);
            return false;
        }
        if !v.contains('*') {
            return true;
        }
        let d = match kind {
            PrincipalType::Aws if v == "*" => return true,
            PrincipalType::Service if v == "*" => self
                .error(
                    "service-principal-wildcard",
                    s.range,
                    "`\"Service\": \"*\"` is not allowed",
                )
                .with_help("name each service principal, e.g. `ec2.amazonaws.com`, or use `\"Principal\": \"*\"` with a condition on `aws:PrincipalServiceName`"),
            _ if v == "*" => self
                .error(
                    "principal-wildcard",
                    s.range,
                    format!("`\"{key}\": \"*\"` is not allowed"),
                )
                .with_help("only `\"Principal\": \"*\"` or `{\"AWS\": \"*\"}` mean every principal"),
            PrincipalType::Aws if is_session_wildcard(v) => self
                .error(
                    "principal-session-wildcard",
                    s.range,
                    format!("the assumed-role session `{v}` uses a wildcard"),
                )
                .with_help("a wildcard cannot stand for all sessions; name the role ARN (`arn:aws:iam::ACCOUNT:role/NAME`), which covers every session of the role"),
            _ => self
                .error(
                    "principal-partial-wildcard",
                    s.range,
                    format!("the principal `{v}` uses a wildcard in part of its name"),
                )
                .with_help("AWS does not allow wildcards inside principal names or ARNs; use `\"*\"` with a condition such as `ArnLike` on `aws:PrincipalArn`"),
        };
        // Lenient: the entry stays and, compared literally, matches no caller (C-48).
        !self.push_rejectable(d)
    }

    // ----- Action / NotAction -----

    fn statement_actions(&mut self, el: &Elements<'_, '_>, start: Range) -> Option<Node<Actions>> {
        let (prop, negated) = match (el.action, el.not_action) {
            (Some(_), Some(na)) => {
                let d = self
                    .error(
                        "action-and-notaction",
                        prop_name(&na.name).1,
                        "a statement cannot have both `Action` and `NotAction`",
                    )
                    .with_help("keep one of them");
                self.push(d);
                return None;
            }
            (Some(p), None) => (p, false),
            (None, Some(p)) => (p, true),
            (None, None) => {
                let d = self
                    .error("missing-action", start, "this statement has no `Action` or `NotAction`")
                    .with_help("add e.g. `\"Action\": \"s3:GetObject\"` (or `\"Action\": \"*\"` for every action)");
                self.push(d);
                return None;
            }
        };
        if negated && self.ty == PolicyType::Rcp {
            let d = self
                .error(
                    "rcp-notaction",
                    prop_name(&prop.name).1,
                    "`NotAction` is not supported in resource control policies",
                )
                .with_help("list the denied actions in `Action`");
            self.push(d);
            return None;
        }
        let element = if negated { "NotAction" } else { "Action" };
        let values = self.string_list(element, &prop.value)?;
        let mut items = Vec::new();
        let mut ok = true;
        for s in values {
            let pattern = ActionPattern::parse(&s.value);
            if matches!(pattern, ActionPattern::Never { .. }) {
                let (message, help) = action_problem(&s.value);
                let d = self
                    .error("invalid-action", s.range, message)
                    .with_help(help);
                if self.push_rejectable(d) {
                    ok = false;
                    continue;
                }
            }
            items.push(Node::new(pattern, self.loc(s.range)));
        }
        ok.then(|| Node::new(Actions { negated, items }, self.loc(prop.value.range())))
    }

    // ----- Resource / NotResource -----

    fn statement_resources(
        &mut self,
        el: &Elements<'_, '_>,
        start: Range,
    ) -> Option<Node<Resources>> {
        let (prop, negated) = match (el.resource, el.not_resource) {
            (Some(_), Some(nr)) => {
                let d = self
                    .error(
                        "resource-and-notresource",
                        prop_name(&nr.name).1,
                        "a statement cannot have both `Resource` and `NotResource`",
                    )
                    .with_help("keep one of them");
                self.push(d);
                return None;
            }
            (Some(p), None) => (p, false),
            (None, Some(p)) => (p, true),
            (None, None) => {
                if self.ty != PolicyType::Trust {
                    let d = self
                        .error("missing-resource", start, "this statement has no `Resource` or `NotResource`")
                        .with_help("add e.g. `\"Resource\": \"arn:aws:s3:::bucket/*\"` (or `\"Resource\": \"*\"` for every resource)");
                    self.push(d);
                }
                return None;
            }
        };
        let element = if negated { "NotResource" } else { "Resource" };
        let values = self.string_list(element, &prop.value)?;
        let mut items = Vec::new();
        let mut ok = true;
        for s in values {
            match self.resource(element, s) {
                Some(t) => items.push(Node::new(t, self.loc(s.range))),
                None => ok = false,
            }
        }
        ok.then(|| Node::new(Resources { negated, items }, self.loc(prop.value.range())))
    }

    fn resource(&mut self, element: &str, s: &StringLit<'_>) -> Option<Template> {
        let text = s.value.as_ref();
        if text.is_empty() {
            let d = self
                .error(
                    "empty-resource",
                    s.range,
                    format!("empty `{element}` entry"),
                )
                .with_help("write an ARN such as `arn:aws:s3:::bucket/*`, or `*`");
            self.push(d);
            return None;
        }
        let split = text.match_indices(':').nth(4).map(|(i, _)| i + 1);
        let (head, tail) = match split {
            Some(i) => (text.get(..i).unwrap_or(text), text.get(i..).unwrap_or("")),
            None => (text, ""),
        };
        let not_arn = self.resource_lints(element, text, s.range);
        if !self.v2012 {
            return Some(Template::literal(text));
        }
        if head.contains("${") && !not_arn {
            let d = self
                .warning(
                    "variable-in-arn-head",
                    s.range,
                    format!("`{text}` has `${{` before the ARN's fifth colon, where it is plain text"),
                )
                .with_help("policy variables are only recognized after the fifth colon (in the resource part of the ARN); the text before it is matched literally");
            self.push(d);
        }
        Some(join_template(head, Template::parse(tail)))
    }

    /// The A-9 lint (wildcards in the service or resource-type part) and a non-ARN lint;
    /// true when the entry was reported as not an ARN.
    fn resource_lints(&mut self, element: &str, text: &str, range: Range) -> bool {
        if text == "*" {
            return false;
        }
        if !text.starts_with("arn:") {
            let help = if text.starts_with("execute-api:") {
                "API Gateway expands `execute-api:/…` itself; Gavel does not, so write the full ARN `arn:aws:execute-api:REGION:ACCOUNT:API-ID/STAGE/METHOD/PATH`"
            } else {
                "resources are matched as ARNs, `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`; this entry only matches a resource named exactly like it"
            };
            let d = self
                .warning(
                    "resource-not-arn",
                    range,
                    format!("the `{element}` entry `{text}` is neither `*` nor an ARN"),
                )
                .with_help(help);
            self.push(d);
            return true;
        }
        let segments: Vec<&str> = text.splitn(6, ':').collect();
        let wild = |s: &str| s.contains(['*', '?']);
        if let Some(service) = segments.get(2)
            && wild(service)
        {
            let d = self
                .warning(
                    "resource-service-wildcard",
                    range,
                    format!("the service part `{service}` of `{text}` contains a wildcard"),
                )
                .with_help("AWS does not allow wildcards in the service segment of a resource ARN; Gavel evaluates it as a wildcard, but AWS may reject or ignore the policy");
            self.push(d);
            return false;
        }
        let (Some(service), Some(resource)) = (segments.get(2), segments.get(5)) else {
            return false;
        };
        if *resource == "*" || NO_TYPE_WORD.contains(service) {
            return false;
        }
        let word = resource.split(['/', ':']).next().unwrap_or("");
        if wild(word) {
            let d = self
                .warning(
                    "resource-type-wildcard",
                    range,
                    format!("the resource type `{word}` of `{text}` contains a wildcard"),
                )
                .with_help("AWS does not allow wildcards in the resource-type part of an ARN (such as `user` in `arn:aws:iam::123456789012:user/x`); Gavel evaluates it as a wildcard, but AWS may not");
            self.push(d);
        }
        false
    }

    // ----- Condition -----

    fn condition(&mut self, value: &Value<'_>) -> Option<Vec<Node<ConditionClause>>> {
        let Value::Object(obj) = value else {
            let d = self
                .error(
                    "condition-not-object",
                    value.range(),
                    format!("`Condition` must be an object, found {}", kind(value)),
                )
                .with_help("write `\"Condition\": {\"StringEquals\": {\"aws:PrincipalTag/team\": \"blue\"}}`");
            self.push(d);
            return None;
        };
        let errors_before = self.error_count();
        let mut clauses = Vec::new();
        for prop in &obj.properties {
            let (name, range) = prop_name(&prop.name);
            let operator = match Operator::parse(name) {
                Ok(op) => Some(op),
                Err(OperatorError::NullModifier) => {
                    let d = self
                        .error(
                            "null-modifier",
                            range,
                            format!("`{name}`: the `Null` operator cannot take `IfExists` or a set prefix"),
                        )
                        .with_help("write plain `Null`; it already tests whether the key is present");
                    self.push(d);
                    None
                }
                Err(OperatorError::Unknown) => {
                    let d = self
                        .error(
                            "unknown-operator",
                            range,
                            format!("unknown condition operator `{name}`"),
                        )
                        .with_help(operator_help(name));
                    self.push(d);
                    None
                }
            };
            let Value::Object(block) = &prop.value else {
                let d = self
                    .error(
                        "operator-block-not-object",
                        prop.value.range(),
                        format!(
                            "the value of `{name}` must be an object of condition keys, found {}",
                            kind(&prop.value)
                        ),
                    )
                    .with_help(format!(
                        "write `\"{name}\": {{\"aws:PrincipalTag/team\": \"blue\"}}`"
                    ));
                self.push(d);
                continue;
            };
            let Some(operator) = operator else {
                continue;
            };
            if block.properties.is_empty() {
                let d = self
                    .warning(
                        "empty-operator-block",
                        block.range,
                        format!("`{name}` lists no condition key, so it tests nothing"),
                    )
                    .with_help("add a key and its values, or delete the operator");
                self.push(d);
            }
            let op_node = Node::new(operator, self.loc(range));
            for key_prop in &block.properties {
                let (key, key_range) = prop_name(&key_prop.name);
                if key.is_empty() {
                    let d = self
                        .error("empty-condition-key", key_range, "empty condition key")
                        .with_help("write a context key such as `aws:SourceIp`");
                    self.push(d);
                    continue;
                }
                if !key.contains(':') {
                    let d = self
                        .warning(
                            "condition-key-prefix",
                            key_range,
                            format!("the condition key `{key}` has no service prefix"),
                        )
                        .with_help("context keys look like `aws:SourceIp` or `s3:prefix`; a key without a prefix is never in the request, so the clause acts as if the key were missing");
                    self.push(d);
                }
                let values = self.condition_values(name, operator, &key_prop.value);
                if let Some(values) = values {
                    clauses.push(Node::new(
                        ConditionClause {
                            operator: op_node.clone(),
                            key: Node::new(key.to_string(), self.loc(key_range)),
                            values,
                        },
                        self.loc(key_range),
                    ));
                }
            }
        }
        (self.error_count() == errors_before).then_some(clauses)
    }

    fn condition_values(
        &mut self,
        op_name: &str,
        op: Operator,
        value: &Value<'_>,
    ) -> Option<Vec<Node<ConditionValue>>> {
        let elements: Vec<&Value<'_>> = match value {
            Value::Array(arr) if arr.elements.is_empty() => {
                let d = self
                    .error(
                        "empty-condition-values",
                        arr.range,
                        "empty list of condition values",
                    )
                    .with_help("give at least one value; an empty list matches nothing");
                self.push(d);
                return None;
            }
            Value::Array(arr) => arr.elements.iter().collect(),
            single => vec![single],
        };
        let mut out = Vec::new();
        let mut ok = true;
        for v in elements {
            let (raw, range) = match v {
                Value::StringLit(s) => (s.value.to_string(), s.range),
                Value::NumberLit(n) => (n.value.to_string(), n.range),
                Value::BooleanLit(b) => (b.value.to_string(), b.range),
                other => {
                    let d = self
                        .error(
                            "invalid-condition-value",
                            other.range(),
                            format!(
                                "a condition value must be a string, number or boolean, found {}",
                                kind(other)
                            ),
                        )
                        .with_help(
                            "write one value, or a list of values: `\"key\": [\"a\", \"b\"]`",
                        );
                    self.push(d);
                    ok = false;
                    continue;
                }
            };
            match self.condition_value(op_name, op, &raw, range) {
                Some(parsed) => {
                    out.push(Node::new(ConditionValue { raw, parsed }, self.loc(range)))
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn condition_value(
        &mut self,
        op_name: &str,
        op: Operator,
        raw: &str,
        range: Range,
    ) -> Option<CondValue> {
        let family = op.base.family();
        let template = || {
            if self.v2012 {
                Template::parse(raw)
            } else {
                Template::literal(raw)
            }
        };
        let parsed = match family {
            Family::String | Family::Arn => return Some(CondValue::Template(template())),
            Family::Bool => {
                let t = template();
                if t.has_variables() {
                    return Some(CondValue::Template(t));
                }
                parse_bool(raw).map(CondValue::Bool)
            }
            Family::Numeric => Decimal::parse(raw).map(CondValue::Number),
            Family::Date => Instant::parse(raw).map(CondValue::Date),
            Family::Binary => parse_base64(raw).map(CondValue::Binary),
            Family::Ip => parse_cidr(raw).map(CondValue::Ip),
            Family::Null => parse_bool(raw).map(CondValue::Null),
        };
        if parsed.is_some() {
            return parsed;
        }
        if self.v2012 && Template::parse(raw).has_variables() {
            let d = self
                .error(
                    "variable-not-allowed",
                    range,
                    format!("policy variables are not allowed in `{op_name}` values, found `{raw}`"),
                )
                .with_help("variables work only with string, ARN and `Bool` operators; numeric, date, binary, IP and `Null` values must be literals");
            self.push(d);
            return None;
        }
        let (expected, help) = match family {
            Family::Numeric => (
                "a number",
                "numeric operators take decimal numbers such as `10` or `-2.5` (no exponent, no spaces)",
            ),
            Family::Date => (
                "a date",
                "date operators take ISO 8601 date-times such as `2030-01-01T00:00:00Z`, or epoch seconds",
            ),
            Family::Binary => (
                "base64 data",
                "`BinaryEquals` takes base64-encoded bytes such as `QmluYXJ5VmFsdWU=`",
            ),
            Family::Ip => (
                "an IP address or CIDR block",
                "IP operators take addresses or CIDR blocks such as `203.0.113.0/24` or `2001:db8::/32`",
            ),
            Family::Bool => ("`true` or `false`", "`Bool` takes `true` or `false`"),
            Family::Null => (
                "`true` or `false`",
                "`Null` takes `true` (the key must be absent) or `false` (the key must be present)",
            ),
            Family::String | Family::Arn => ("a string", ""),
        };
        let d = self
            .error(
                "invalid-condition-value",
                range,
                format!("`{raw}` is not {expected}, as `{op_name}` requires"),
            )
            .with_help(help);
        self.push(d);
        None
    }

    // ----- RCP -----

    fn rcp_rules(
        &mut self,
        el: &Elements<'_, '_>,
        effect: Option<&Node<Effect>>,
        principal: Option<&Node<Principals>>,
        action: Option<&Node<Actions>>,
        resource: Option<&Node<Resources>>,
    ) {
        if let Some(p) = principal
            && !is_everyone(p)
            && let Some(prop) = el.principal
        {
            let d = self
                .error(
                    "rcp-principal",
                    prop.value.range(),
                    "the `Principal` of a resource control policy must be `\"*\"`",
                )
                .with_help("an RCP applies to every principal; narrow it with a condition on `aws:PrincipalArn` or `aws:PrincipalAccount`");
            self.push(d);
        }
        let Some(effect) = effect else {
            return;
        };
        match effect.node {
            Effect::Allow => {
                let full_access = principal.is_some_and(|p| is_everyone(p))
                    && action.is_some_and(|a| {
                        !a.negated && a.items.iter().all(|i| i.node == ActionPattern::Any)
                    })
                    && resource.is_some_and(|r| {
                        !r.negated
                            && r.items
                                .iter()
                                .all(|i| i.node.as_literal().as_deref() == Some("*"))
                    })
                    && el.condition.is_none()
                    && el.not_action.is_none()
                    && el.not_resource.is_none();
                if !full_access && let Some(prop) = el.effect {
                    let d = self
                        .error(
                            "rcp-allow",
                            prop.value.range(),
                            "a statement in a resource control policy must have `\"Effect\": \"Deny\"`",
                        )
                        .with_help("the only `Allow` an RCP may contain is the one of `RCPFullAWSAccess`: `\"Principal\": \"*\"`, `\"Action\": \"*\"`, `\"Resource\": \"*\"` and no `Condition`");
                    self.push(d);
                }
            }
            Effect::Deny => {
                if let Some(a) = action
                    && !a.negated
                    && let Some(any) = a.items.iter().find(|i| i.node == ActionPattern::Any)
                {
                    let start = usize::try_from(any.loc.offset).unwrap_or(0);
                    let r = Range::new(start, start.saturating_add(3));
                    let d = self
                        .error(
                            "rcp-action-wildcard",
                            r,
                            "a `Deny` statement in a resource control policy cannot use the action `*`",
                        )
                        .with_help("list the denied actions per service, e.g. `s3:*` or `sts:AssumeRole`");
                    self.push(d);
                }
            }
        }
    }

    // ----- helpers -----

    /// "A string or a non-empty list of strings".
    fn string_list<'v, 'a>(
        &mut self,
        element: &str,
        value: &'v Value<'a>,
    ) -> Option<Vec<&'v StringLit<'a>>> {
        match value {
            Value::StringLit(s) => Some(vec![s]),
            Value::Array(arr) if arr.elements.is_empty() => {
                let d = self
                    .error(
                        "empty-list",
                        arr.range,
                        format!("`{element}` must not be an empty list"),
                    )
                    .with_help("give at least one value");
                self.push(d);
                None
            }
            Value::Array(arr) => {
                let mut out = Vec::new();
                let mut ok = true;
                for v in &arr.elements {
                    match v {
                        Value::StringLit(s) => out.push(s),
                        other => {
                            let d = self
                                .error(
                                    "not-a-string",
                                    other.range(),
                                    format!(
                                        "each `{element}` entry must be a string, found {}",
                                        kind(other)
                                    ),
                                )
                                .with_help("put the value in double quotes");
                            self.push(d);
                            ok = false;
                        }
                    }
                }
                ok.then_some(out)
            }
            other => {
                let d = self
                    .error(
                        "not-a-string",
                        other.range(),
                        format!(
                            "`{element}` must be a string or a list of strings, found {}",
                            kind(other)
                        ),
                    )
                    .with_help(format!(
                        "write `\"{element}\": \"…\"` or `\"{element}\": [\"…\", \"…\"]`"
                    ));
                self.push(d);
                None
            }
        }
    }
}

/// `"*"` or `{"AWS": "*"}` (spec §2.1: the same).
fn is_everyone(p: &Principals) -> bool {
    p.wildcard
        || (p.entries.len() == 1
            && p.entries
                .iter()
                .all(|e| e.node.kind == PrincipalType::Aws && e.node.value == "*"))
}

/// `arn:…:sts::ACCOUNT:assumed-role/ROLE/SESSION` with a wildcard in the session name.
fn is_session_wildcard(v: &str) -> bool {
    v.starts_with("arn:")
        && v.contains(":assumed-role/")
        && v.rsplit('/')
            .next()
            .is_some_and(|session| session.contains('*'))
        && !v
            .rsplit_once('/')
            .is_some_and(|(head, _)| head.contains('*'))
}

/// Why an action entry can never match (it parsed as `ActionPattern::Never`).
fn action_problem(raw: &str) -> (String, String) {
    let generic_help =
        "write actions as `service:ActionName`, e.g. `s3:GetObject`; `*` alone means every action"
            .to_string();
    if raw.is_empty() {
        return ("empty action".into(), generic_help);
    }
    if raw.chars().any(char::is_whitespace) {
        return (
            format!("the action `{raw}` contains white space"),
            format!(
                "IAM does not trim action names, so this entry matches nothing; write `{}`",
                raw.split_whitespace().collect::<String>()
            ),
        );
    }
    let Some((service, name)) = raw.split_once(':') else {
        return (
            format!("the action `{raw}` has no service prefix"),
            generic_help,
        );
    };
    if name.contains(':') {
        return (
            format!("the action `{raw}` has more than one `:`"),
            generic_help,
        );
    }
    if service.is_empty() {
        return (
            format!("the action `{raw}` has an empty service prefix"),
            generic_help,
        );
    }
    if service.contains(['*', '?']) {
        return (
            format!("the action `{raw}` has a wildcard in its service prefix"),
            "IAM matches the service prefix literally, so this entry matches nothing; list the services (`s3:Get*`, `ec2:Get*`) or use `*`".into(),
        );
    }
    if name.is_empty() {
        return (
            format!("the action `{raw}` has an empty action name"),
            format!("write `{service}:*` for every action of the service"),
        );
    }
    (
        format!(
            "the service prefix `{service}` of the action `{raw}` has characters other than letters, digits, `-`, `_` and `.`"
        ),
        generic_help,
    )
}

/// "Did you mean" help for an unknown operator, keeping the set prefix and `IfExists`.
fn operator_help(name: &str) -> String {
    let (prefix, rest) = match name.split_once(':') {
        Some((p, r)) => (Some(p), r),
        None => (None, name),
    };
    let set = prefix.and_then(|p| suggest(p, &["ForAllValues", "ForAnyValue"]));
    if prefix.is_some() && set.is_none() {
        return format!(
            "`{name}` looks like a condition key; a condition block maps operators to keys: `\"Condition\": {{\"StringEquals\": {{\"{name}\": \"…\"}}}}`"
        );
    }
    // An `IfExists` suffix, possibly misspelt (`IfExist`, `IfExsits`).
    let lower = rest.to_ascii_lowercase();
    let suffix_at = lower.rfind("if").filter(|i| {
        *i > 0
            && lower
                .get(*i..)
                .is_some_and(|s| edit_distance(s, "ifexists") <= 2)
    });
    let if_exists = suffix_at.is_some();
    let base = suffix_at.and_then(|i| rest.get(..i)).unwrap_or(rest);
    let base_guess =
        Operator::suggest(base).or_else(|| Operator::parse(base).ok().map(|o| o.base.name()));
    match base_guess {
        Some(b) => {
            let mut s = String::new();
            if let Some(p) = set {
                s.push_str(p);
                s.push(':');
            }
            s.push_str(b);
            if if_exists {
                s.push_str("IfExists");
            }
            format!("did you mean `{s}`?")
        }
        None => "condition operators are `StringEquals`, `StringLike`, `NumericLessThan`, `DateGreaterThan`, `Bool`, `IpAddress`, `ArnLike`, `Null` and their `IfExists`, `ForAllValues:` and `ForAnyValue:` variants".into(),
    }
}

/// Joins a literal ARN head and a parsed resource part into one template.
fn join_template(head: &str, tail: Template) -> Template {
    if head.is_empty() {
        return tail;
    }
    let mut parts = Vec::with_capacity(tail.parts.len() + 1);
    let mut rest = tail.parts.into_iter();
    match rest.next() {
        Some(Part::Lit(l)) => parts.push(Part::Lit(format!("{head}{l}"))),
        Some(other) => {
            parts.push(Part::Lit(head.to_string()));
            parts.push(other);
        }
        None => parts.push(Part::Lit(head.to_string())),
    }
    parts.extend(rest);
    Template { parts }
}
