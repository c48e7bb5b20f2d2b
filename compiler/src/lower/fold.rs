//! Partial evaluation per principal (`docs/compiled-design.md`, "Lowering" step 1): everything
//! that depends only on the principal is decided at compile time.
//!
//! * A policy variable whose key the compiler knows becomes literal text (never a wildcard).
//! * A condition clause whose key (and every variable in its values) is known is evaluated: true
//!   removes the clause, false removes the statement.
//! * A `Resource` entry whose variable has no value matches nothing (spec §3.2 R4) and is dropped;
//!   a statement left with no `Resource` entry can never match and is dropped.
//!
//! Folding never changes a decision for a request whose context agrees with what the compiler
//! knew: that is the property `compiler/tests/fold.rs` checks against the reference interpreter.
//! Every folded statement keeps the index it had in the source policy, because answers name
//! statements by their source index.

use crate::model::value::CondValue;
use crate::model::{ConditionClause, Node, Part, Policy, Resources, Statement, Template};
use crate::reference::condition::eval_clause;
use gavel_runtime::{Context, ContextValue};
use std::collections::BTreeMap;

/// Principal keys: the compiler knows every one of them for a principal, present or absent
/// (lower-case; `aws:principaltag/` is a prefix). Role sessions are the exception the caller
/// must handle: session tags may override `aws:PrincipalTag/*` and `aws:userid` holds the session
/// name, so for roles those keys must be left out of [`KnownKeys`] and stay unknown.
pub const PRINCIPAL_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltag/",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:userid",
    "aws:username",
];

/// What the compiler knows about a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Known {
    /// The key is absent from every request of this principal.
    Absent,
    /// The key has this value in every request of this principal.
    Value(ContextValue),
}

/// The keys known at compile time for one principal.
#[derive(Clone, Debug, Default)]
pub struct KnownKeys {
    /// Known values by lower-cased key.
    values: BTreeMap<String, ContextValue>,
    /// Lower-cased keys (or prefixes ending in `/`) whose absence is known too.
    owned: Vec<String>,
}

impl KnownKeys {
    /// Knows `owned` keys (exact, or prefixes ending in `/`): each one is `values[key]` if given,
    /// absent otherwise. Every other key is unknown.
    pub fn new(
        values: impl IntoIterator<Item = (String, ContextValue)>,
        owned: &[&str],
    ) -> KnownKeys {
        KnownKeys {
            values: values
                .into_iter()
                .map(|(k, v)| (k.to_lowercase(), v))
                .collect(),
            owned: owned.iter().map(|k| k.to_lowercase()).collect(),
        }
    }

    /// The principal keys of a complete context (a conformance case's): every principal key is
    /// known, present or absent.
    pub fn principal_keys_of(ctx: &Context) -> KnownKeys {
        let values = ctx
            .iter()
            .filter(|(k, _)| is_owned(PRINCIPAL_KEYS, &k.to_lowercase()))
            .map(|(k, v)| (k.to_string(), v.clone()));
        KnownKeys::new(values, PRINCIPAL_KEYS)
    }

    /// What is known about `key` (any case); `None` when it is only known at request time.
    pub fn get(&self, key: &str) -> Option<Known> {
        let lower = key.to_lowercase();
        if let Some(v) = self.values.get(&lower) {
            return Some(Known::Value(v.clone()));
        }
        let owned: Vec<&str> = self.owned.iter().map(String::as_str).collect();
        is_owned(&owned, &lower).then_some(Known::Absent)
    }
}

fn is_owned(owned: &[&str], lower: &str) -> bool {
    owned.iter().any(|k| {
        if k.ends_with('/') {
            lower.starts_with(k)
        } else {
            lower == *k
        }
    })
}

/// The text a known variable stands for, following spec §5.3: a single value, else the default.
/// `Some(None)`: known to have no value. `None`: not known at compile time.
fn known_text(known: &KnownKeys, key: &str, default: Option<&String>) -> Option<Option<String>> {
    match known.get(key)? {
        Known::Value(ContextValue::Single(s)) => Some(Some(s)),
        Known::Value(ContextValue::List(_)) | Known::Absent => Some(default.cloned()),
    }
}

/// Substitutes known variables; `None` when a known variable has no value (the template can
/// then match nothing). Unknown variables stay.
fn fold_template(t: &Template, known: &KnownKeys) -> Option<Template> {
    let mut parts = Vec::with_capacity(t.parts.len());
    for p in &t.parts {
        match p {
            Part::Var { key, default } => match known_text(known, key, default.as_ref()) {
                Some(Some(text)) => parts.push(Part::Text(text)),
                Some(None) => return None,
                None => parts.push(p.clone()),
            },
            other => parts.push(other.clone()),
        }
    }
    Some(Template { parts })
}

/// A clause is decidable at compile time when its key and every variable in its values are known.
fn decidable(clause: &ConditionClause, known: &KnownKeys) -> bool {
    let vars_known = clause.values.iter().all(|v| match &v.parsed {
        CondValue::Template(t) => t.variable_keys().all(|k| known.get(k).is_some()),
        _ => true,
    });
    known.get(&clause.key).is_some() && vars_known
}

/// The context of known values a decidable clause needs.
fn known_context(clause: &ConditionClause, known: &KnownKeys) -> Context {
    let mut ctx = Context::new();
    let mut keys: Vec<&str> = vec![clause.key.as_str()];
    for v in &clause.values {
        if let CondValue::Template(t) = &v.parsed {
            keys.extend(t.variable_keys());
        }
    }
    for k in keys {
        if let Some(Known::Value(v)) = known.get(k) {
            ctx.set(k, v);
        }
    }
    ctx
}

/// Folds one statement; `None` when it can never match this principal.
fn fold_statement(st: &Statement, known: &KnownKeys) -> Option<Statement> {
    let mut out = st.clone();
    if let Some(res) = &st.resource {
        let items: Vec<Node<Template>> = res
            .items
            .iter()
            .filter_map(|t| fold_template(t, known).map(|f| Node::new(f, t.loc)))
            .collect();
        if items.is_empty() && !res.negated {
            return None;
        }
        out.resource = Some(Node::new(
            Resources {
                negated: res.negated,
                items,
            },
            res.loc,
        ));
    }
    let mut clauses = Vec::with_capacity(st.condition.len());
    for c in &st.condition {
        if decidable(c, known) {
            if eval_clause(c, &known_context(c, known)) {
                continue;
            }
            return None;
        }
        let mut folded = c.node.clone();
        for v in &mut folded.values {
            if let CondValue::Template(t) = &v.node.parsed {
                // A known variable without a value keeps its `Var` part: at request time the key
                // has no value either, so the clause evaluates the same (spec §5.3).
                let parts = t
                    .parts
                    .iter()
                    .map(|p| match p {
                        Part::Var { key, default } => {
                            match known_text(known, key, default.as_ref()) {
                                Some(Some(text)) => Part::Text(text),
                                _ => p.clone(),
                            }
                        }
                        other => other.clone(),
                    })
                    .collect();
                v.node.parsed = CondValue::Template(Template { parts });
            }
        }
        clauses.push(Node::new(folded, c.loc));
    }
    out.condition = clauses;
    Some(out)
}

/// A policy folded for one principal, with the source index of each remaining statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Folded {
    /// The folded policy (only the statements that can still match).
    pub policy: Policy,
    /// `origin[i]` is the source index of `policy.statements[i]`.
    pub origin: Vec<usize>,
}

/// Folds `policy` for a principal whose compile-time keys are `known`.
pub fn fold_policy(policy: &Policy, known: &KnownKeys) -> Folded {
    let mut statements = Vec::new();
    let mut origin = Vec::new();
    for (i, st) in policy.statements.iter().enumerate() {
        if let Some(f) = fold_statement(st, known) {
            statements.push(Node::new(f, st.loc));
            origin.push(i);
        }
    }
    Folded {
        policy: Policy {
            version: policy.version.clone(),
            id: policy.id.clone(),
            statements,
            loc: policy.loc,
        },
        origin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse_policy;
    use crate::model::PolicyType;

    fn policy(text: &str) -> Policy {
        parse_policy(text, PolicyType::Identity)
            .unwrap_or_else(|d| panic!("{d}"))
            .value
    }

    fn user(name: &str) -> KnownKeys {
        KnownKeys::new(
            [(
                "aws:username".to_string(),
                ContextValue::Single(name.into()),
            )],
            PRINCIPAL_KEYS,
        )
    }

    #[test]
    fn a_folded_value_is_literal_text_never_a_wildcard() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}"#,
        );
        let f = fold_policy(&p, &user("a*"));
        let Some(res) = &f.policy.statements[0].resource else {
            panic!()
        };
        let toks = res.items[0].resolve(true, &|_| None).unwrap_or_default();
        // `a*` came from the user name: both characters literal; only the policy's own `*` is a wildcard.
        assert!(gavel_runtime::glob::resource_matches(
            &toks,
            "arn:aws:s3:::b/a*/x"
        ));
        assert!(!gavel_runtime::glob::resource_matches(
            &toks,
            "arn:aws:s3:::b/abc/x"
        ));
    }

    #[test]
    fn known_principal_keys_fold_clauses_and_statements() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"alice"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
            {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"}}},
            {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team}/*"}]}"#,
        );
        let f = fold_policy(&p, &user("alice"));
        // Statement 0 keeps only the request-time clause; 1 (no team tag) and 2 (variable with
        // no value in its only Resource entry) can never match and are gone.
        assert_eq!(f.origin, vec![0]);
        assert_eq!(f.policy.statements[0].condition.len(), 1);
        assert_eq!(
            f.policy.statements[0].condition[0].key.as_str(),
            "aws:SourceIp"
        );
        assert_eq!(fold_policy(&p, &user("bob")).origin, Vec::<usize>::new());
    }
}
