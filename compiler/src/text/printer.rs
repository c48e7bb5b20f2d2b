//! The canonical text of policies: statements, principals and conditions.

use crate::model::policy::Effect;
use crate::model::{
    BaseOp, CondValue, ConditionClause, Family, Policy, PrincipalType, Principals, SetOp,
    Statement, Version,
};
use crate::text::layout::{Entry, Node, render};
use crate::text::lexer::{Lexer, Token};
use crate::text::ops;

/// Lines longer than this break their lists one item per line.
pub(crate) const WIDTH: usize = 96;

/// A string literal: quoted and escaped.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// True when `s` reads back as exactly one token of the kind `want` with the same text.
fn lexes_as(s: &str, want: fn(&Token<'_>) -> bool) -> bool {
    let mut lx = Lexer::new(s);
    match (lx.next(), lx.next()) {
        (Some(Ok((0, t, end))), None) => end == s.len() && want(&t),
        _ => false,
    }
}

/// An action or condition key: bare when it is a word with a colon, quoted otherwise.
pub(crate) fn name_or_quoted(s: &str) -> String {
    if s == "*" {
        return "*".into();
    }
    if lexes_as(s, |t| matches!(t, Token::Name(_))) {
        s.to_string()
    } else {
        quote(s)
    }
}

/// True when `s` can be written bare as a condition key.
fn bare_key(s: &str) -> bool {
    lexes_as(s, |t| matches!(t, Token::Name(_)))
}

/// Prints `items` after `head` on one line when it fits, else one per line.
fn list(head: &str, items: &[String], indent: usize) -> String {
    let one = items.join(", ");
    if items.is_empty() {
        return format!("{head}[]");
    }
    if indent + head.len() + one.len() <= WIDTH || items.len() == 1 {
        return format!("{head}{one}");
    }
    let pad = " ".repeat(indent + 4);
    let mut s = format!("{head}[\n");
    for i in items {
        s.push_str(&pad);
        s.push_str(i);
        s.push_str(",\n");
    }
    s.push_str(&" ".repeat(indent + 2));
    s.push(']');
    s
}

/// Writes a policy in the text language, canonically. Reading the result back gives an equal
/// [`Policy`].
pub fn policy_to_text(policy: &Policy) -> String {
    render(&policy_entries(policy))
}

/// The items of a policy: its header (`version`, `id`) and its statements.
pub(crate) fn policy_entries(policy: &Policy) -> Vec<Entry> {
    let mut out = policy_header(policy)
        .into_iter()
        .map(|l| Entry::new(Node::Line(l)))
        .collect::<Vec<_>>();
    out.extend(policy.statements.iter().map(|s| {
        Entry::new(Node::Statement {
            prefix: "",
            statement: Box::new(s.node.clone()),
        })
    }));
    out
}

/// The header lines of a policy: `version` unless it is `2012-10-17`, and `id`.
pub(crate) fn policy_header(policy: &Policy) -> Vec<String> {
    let mut out = Vec::new();
    match policy.version.as_ref().map(|v| v.node) {
        None => out.push("version none".to_string()),
        Some(Version::V2008_10_17) => out.push("version \"2008-10-17\"".to_string()),
        Some(Version::V2012_10_17) => {}
    }
    if let Some(id) = &policy.id {
        out.push(format!("id {}", quote(&id.node)));
    }
    out
}

/// Writes one statement.
pub(crate) fn write_statement(s: &Statement, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    if let Some(sid) = &s.sid {
        out.push_str(&format!("{pad}sid {}\n", quote(&sid.node)));
    }
    let effect = match s.effect.node {
        Effect::Allow => "allow ",
        Effect::Deny => "deny ",
    };
    let not = if s.action.node.negated { "not " } else { "" };
    let actions: Vec<String> = s
        .action
        .node
        .items
        .iter()
        .map(|a| name_or_quoted(a.node.raw()))
        .collect();
    out.push_str(&pad);
    out.push_str(&list(&format!("{effect}{not}"), &actions, indent));
    out.push('\n');
    let inner = indent + 2;
    let ipad = " ".repeat(inner);
    if let Some(r) = &s.resource {
        let not = if r.node.negated { "not " } else { "" };
        let items: Vec<String> = r
            .node
            .items
            .iter()
            .map(|t| {
                let src = t.node.source();
                if src == "*" { src } else { quote(&src) }
            })
            .collect();
        out.push_str(&ipad);
        out.push_str(&list(&format!("on {not}"), &items, inner));
        out.push('\n');
    }
    if let Some(p) = &s.principal {
        out.push_str(&ipad);
        out.push_str(&principal_text(&p.node, inner));
        out.push('\n');
    }
    for (i, c) in s.condition.iter().enumerate() {
        out.push_str(&ipad);
        out.push_str(if i == 0 { "when " } else { " and " });
        out.push_str(&condition_text(&c.node, inner + 5));
        out.push('\n');
    }
}

fn principal_text(p: &Principals, indent: usize) -> String {
    let not = if p.negated { "not " } else { "" };
    if p.wildcard {
        return format!("for {not}*");
    }
    let mut groups: Vec<(PrincipalType, Vec<String>)> = Vec::new();
    for e in &p.entries {
        match groups.iter_mut().find(|(k, _)| *k == e.node.kind) {
            Some((_, v)) => v.push(quote(&e.node.value)),
            None => groups.push((e.node.kind, vec![quote(&e.node.value)])),
        }
    }
    if groups.is_empty() {
        return format!("for {not}aws []");
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(k, v)| {
            let kind = match k {
                PrincipalType::Aws => "aws",
                PrincipalType::Service => "service",
                PrincipalType::Federated => "federated",
                PrincipalType::CanonicalUser => "canonical_user",
            };
            if v.len() == 1 {
                format!("{kind} {}", v.join(""))
            } else {
                let inner = list("", v, indent + 4);
                if inner.contains('\n') {
                    format!("{kind} {inner}")
                } else {
                    format!("{kind} [{inner}]")
                }
            }
        })
        .collect();
    format!("for {not}{}", parts.join(", "))
}

fn condition_text(c: &ConditionClause, indent: usize) -> String {
    let op = c.operator.node;
    let raws: Vec<&str> = c.values.iter().map(|v| v.node.raw.as_str()).collect();
    let if_exists = if op.if_exists { " if exists" } else { "" };
    let key_bare = bare_key(&c.key.node);
    // `is true` / `is false` / `is null` / `is not null`.
    if key_bare && op.set.is_none() && raws.len() == 1 {
        let is = match (op.base, raws[0]) {
            (BaseOp::Bool, "true") => Some("is true"),
            (BaseOp::Bool, "false") => Some("is false"),
            (BaseOp::Null, "true") => Some("is null"),
            (BaseOp::Null, "false") => Some("is not null"),
            _ => None,
        };
        if let Some(is) = is {
            return format!("{} {is}{if_exists}", c.key.node);
        }
    }
    let values: Vec<String> = c
        .values
        .iter()
        .map(|v| match (&v.node.parsed, op.base.family()) {
            (CondValue::Number(_), Family::Numeric)
                if lexes_as(&v.node.raw, |t| matches!(t, Token::Number(_))) =>
            {
                v.node.raw.clone()
            }
            _ => quote(&v.node.raw),
        })
        .collect();
    let vals = if values.len() == 1 {
        values.join("")
    } else {
        let l = list("", &values, indent);
        if l.contains('\n') {
            l
        } else {
            format!("[{l}]")
        }
    };
    if !key_bare {
        return format!("{} {} {vals}", quote(&op.to_string()), quote(&c.key.node));
    }
    let set = match op.set {
        Some(SetOp::ForAnyValue) => "any ",
        Some(SetOp::ForAllValues) => "all ",
        None => "",
    };
    format!(
        "{} {set}{} {vals}{if_exists}",
        c.key.node,
        ops::alias(op.base)
    )
}
