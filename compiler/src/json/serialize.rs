//! The policy model back to canonical IAM JSON.

use crate::model::policy::Effect;
use crate::model::{
    Actions, ConditionClause, Node, Operator, Policy, PrincipalType, Principals, Resources,
    Statement,
};
use serde_json::{Map, Value};

/// See [`crate::json::policy_to_json`].
pub(crate) fn policy(p: &Policy) -> Value {
    let mut obj = Map::new();
    if let Some(v) = &p.version {
        obj.insert("Version".into(), Value::String(v.node.as_str().into()));
    }
    if let Some(id) = &p.id {
        obj.insert("Id".into(), Value::String(id.node.clone()));
    }
    obj.insert(
        "Statement".into(),
        Value::Array(p.statements.iter().map(|s| statement(s)).collect()),
    );
    Value::Object(obj)
}

fn statement(s: &Statement) -> Value {
    let mut obj = Map::new();
    if let Some(sid) = &s.sid {
        obj.insert("Sid".into(), Value::String(sid.node.clone()));
    }
    let effect = match s.effect.node {
        Effect::Allow => "Allow",
        Effect::Deny => "Deny",
    };
    obj.insert("Effect".into(), Value::String(effect.into()));
    if let Some(p) = &s.principal {
        let key = if p.negated {
            "NotPrincipal"
        } else {
            "Principal"
        };
        obj.insert(key.into(), principals(p));
    }
    let key = if s.action.negated {
        "NotAction"
    } else {
        "Action"
    };
    obj.insert(key.into(), actions(&s.action));
    if let Some(r) = &s.resource {
        let key = if r.negated { "NotResource" } else { "Resource" };
        obj.insert(key.into(), resources(r));
    }
    if !s.condition.is_empty() {
        obj.insert("Condition".into(), condition(&s.condition));
    }
    Value::Object(obj)
}

/// One string for a single value, a list otherwise.
fn one_or_many(mut values: Vec<String>) -> Value {
    if values.len() == 1
        && let Some(v) = values.pop()
    {
        return Value::String(v);
    }
    Value::Array(values.into_iter().map(Value::String).collect())
}

fn principals(p: &Principals) -> Value {
    if p.wildcard {
        return Value::String("*".into());
    }
    // Group by type in first-appearance order (a parsed policy lists each type once).
    let mut groups: Vec<(PrincipalType, Vec<String>)> = Vec::new();
    for e in &p.entries {
        match groups.iter_mut().find(|(k, _)| *k == e.node.kind) {
            Some((_, values)) => values.push(e.node.value.clone()),
            None => groups.push((e.node.kind, vec![e.node.value.clone()])),
        }
    }
    let mut obj = Map::new();
    for (kind, values) in groups {
        obj.insert(kind.as_str().into(), one_or_many(values));
    }
    Value::Object(obj)
}

fn actions(a: &Actions) -> Value {
    one_or_many(a.items.iter().map(|i| i.node.raw().to_string()).collect())
}

fn resources(r: &Resources) -> Value {
    one_or_many(r.items.iter().map(|i| i.node.source()).collect())
}

/// Groups consecutive clauses by operator. A clause whose operator already has a group earlier
/// (only possible in models not read from JSON, or from a document that spelled one operator
/// in two cases) gets a group under another spelling of the same operator name, which parses
/// back to the same operator, so clause order survives the round trip.
fn condition(clauses: &[Node<ConditionClause>]) -> Value {
    let mut groups: Vec<(String, Operator, Map<String, Value>)> = Vec::new();
    for c in clauses {
        let op = c.node.operator.node;
        let key = c.node.key.node.clone();
        let values = one_or_many(c.node.values.iter().map(|v| v.node.raw.clone()).collect());
        if let Some((_, last_op, map)) = groups.last_mut()
            && *last_op == op
            && !map.contains_key(&key)
        {
            map.insert(key, values);
            continue;
        }
        let canonical = op.to_string();
        let mut name = canonical.clone();
        let mut variant = 0;
        while groups.iter().any(|(n, _, _)| *n == name) {
            variant += 1;
            name = case_variant(&canonical, variant);
            if variant > canonical.len() {
                break;
            }
        }
        let mut map = Map::new();
        map.insert(key, values);
        groups.push((name, op, map));
    }
    let mut obj = Map::new();
    for (name, _, map) in groups {
        match obj.get_mut(&name) {
            // Out of spellings (never for real operator names): merge, same meaning.
            Some(Value::Object(existing)) => existing.extend(map),
            _ => {
                obj.insert(name, Value::Object(map));
            }
        }
    }
    Value::Object(obj)
}

/// The `n`-th spelling of an operator name: the case of the first `n` letters flipped.
pub(crate) fn case_variant(name: &str, n: usize) -> String {
    let mut flipped = 0;
    name.chars()
        .map(|c| {
            if flipped < n && c.is_ascii_alphabetic() {
                flipped += 1;
                if c.is_ascii_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            } else {
                c
            }
        })
        .collect()
}
