//! Compiled condition clauses (spec §4, §5.3) evaluated against a context lookup.
//!
//! The same algorithm as the reference interpreter's `condition.rs`, over pre-parsed constants
//! and a [`Lookup`] instead of a materialized context, and without allocating: request values are
//! compared in place and templates with variables are resolved into a reused buffer.

use super::context::{Lookup, Val};
use crate::cond_value::CondValue;
use crate::glob::{Tok, arn_like, glob_match, is_arn, star_glob};
use crate::operator::{BaseOp, Operator, SetOp};
use crate::pattern::{Part, Template};
use crate::principal::split_colon;
use crate::tables::Clause;
use crate::value::{base64_equals, cmp_decimal_text, cmp_instant_text, parse_bool, parse_ip};
use std::cmp::Ordering;

/// Comparison of one request element with one policy value (spec §4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    True,
    False,
    Error,
    NullFalse,
}

impl From<bool> for Cmp {
    fn from(b: bool) -> Cmp {
        if b { Cmp::True } else { Cmp::False }
    }
}

/// Buffers reused across clauses so that variables resolve without allocating.
#[derive(Debug, Default)]
pub struct Buffers {
    /// Resolved glob tokens.
    pub toks: Vec<Tok>,
    /// Resolved plain text.
    pub text: String,
}

/// A clause's test when it needs no general comparison, worked out once when the clause is
/// built or read ([`Shortcut::of`]).
///
/// Why: most conditions a request evaluates are guardrails such as `StringNotEquals
/// aws:RequestedRegion [...]` or `BoolIfExists aws:SecureTransport false`, and the general
/// path (dispatch per value on the operator and the value's family, templates) cost about as
/// much as the context lookup. A shortcut gives the same answer as the general path for every
/// request value (the unit test below compares them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Shortcut {
    /// The general path.
    #[default]
    General,
    /// `StringEquals` / `StringNotEquals` without a set operator whose values are all plain
    /// text: the request value is compared with each.
    Strings(Box<[Box<str>]>),
    /// `Bool` without a set operator whose values are all `true` / `false`: which of the two
    /// request values match.
    Bools {
        /// `"false"` is listed.
        on_false: bool,
        /// `"true"` is listed.
        on_true: bool,
    },
}

impl Shortcut {
    /// The shortcut of a clause with operator `op` and `values`.
    pub fn of(op: &Operator, values: &[Option<CondValue>]) -> Shortcut {
        if op.set.is_some() {
            return Shortcut::General;
        }
        match op.base {
            BaseOp::StringEquals | BaseOp::StringNotEquals => values
                .iter()
                .map(|v| match v {
                    Some(CondValue::Template(t)) => match t.parts.as_slice() {
                        [Part::Lit(l) | Part::Text(l)] => Some(Box::from(l.as_str())),
                        _ => None,
                    },
                    _ => None,
                })
                .collect::<Option<Box<[Box<str>]>>>()
                .map_or(Shortcut::General, Shortcut::Strings),
            BaseOp::Bool => {
                let (mut on_false, mut on_true) = (false, false);
                for v in values {
                    match v {
                        Some(CondValue::Bool(true)) => on_true = true,
                        Some(CondValue::Bool(false)) => on_false = true,
                        _ => return Shortcut::General,
                    }
                }
                Shortcut::Bools { on_false, on_true }
            }
            _ => Shortcut::General,
        }
    }
}

/// Whether every clause holds (AND).
pub fn holds(clauses: &[Clause], ctx: &dyn Lookup, buf: &mut Buffers) -> bool {
    clauses.iter().all(|c| clause_holds(c, ctx, buf))
}

fn clause_holds(clause: &Clause, ctx: &dyn Lookup, buf: &mut Buffers) -> bool {
    let op = clause.operator;
    let found = ctx.get_kind(clause.kind, &clause.key);
    if op.base == BaseOp::Null {
        let is_null = match found {
            None => true,
            Some(v) => v.is_null(),
        };
        return clause.values.contains(&Some(CondValue::Null(is_null)));
    }
    match &clause.shortcut {
        Shortcut::General => {}
        Shortcut::Strings(texts) => {
            let negated = op.base.is_negated();
            return match found {
                None => op.if_exists || negated,
                Some(Val::Single(s)) => texts.iter().any(|t| **t == *s) != negated,
                Some(_) => false,
            };
        }
        Shortcut::Bools { on_false, on_true } => {
            return match found {
                None => op.if_exists,
                Some(Val::Single(s)) => match parse_bool(s) {
                    Some(true) => *on_true,
                    Some(false) => *on_false,
                    None => false,
                },
                Some(_) => false,
            };
        }
    }
    let mut elem_ok = |e: &str| elem_ok(op.base, e, &clause.values, ctx, buf);
    match op.set {
        None => match found {
            None => op.if_exists || op.base.is_negated(),
            Some(Val::Single(s)) => elem_ok(s),
            Some(_) => false,
        },
        Some(SetOp::ForAllValues) => match found {
            None => true,
            Some(v) => v.elements().filter(|e| !e.is_empty()).all(elem_ok),
        },
        Some(SetOp::ForAnyValue) => match found {
            None => op.if_exists,
            Some(v) => v.elements().filter(|e| !e.is_empty()).any(elem_ok),
        },
    }
}

fn elem_ok(
    base: BaseOp,
    e: &str,
    values: &[Option<CondValue>],
    ctx: &dyn Lookup,
    buf: &mut Buffers,
) -> bool {
    let positive = base.positive();
    if positive == BaseOp::IpAddress {
        // The request's address is parsed once, not once per listed network.
        let addr = parse_ip(e);
        let one = |v: &Option<CondValue>| match (addr, v) {
            (Some(a), Some(CondValue::Ip(net))) => Cmp::from(net.contains(&a)),
            _ => Cmp::Error,
        };
        return if base.is_negated() {
            values
                .iter()
                .all(|v| matches!(one(v), Cmp::False | Cmp::NullFalse))
        } else {
            values.iter().any(|v| one(v) == Cmp::True)
        };
    }
    if base.is_negated() {
        values.iter().all(|v| {
            matches!(
                cmp(positive, e, v.as_ref(), ctx, buf),
                Cmp::False | Cmp::NullFalse
            )
        })
    } else {
        values
            .iter()
            .any(|v| cmp(positive, e, v.as_ref(), ctx, buf) == Cmp::True)
    }
}

/// Resolves `t` into `buf.toks` (glob) or `buf.text` (plain); false when a variable has no
/// value and no default.
fn resolve_toks(t: &Template, glob: bool, ctx: &dyn Lookup, toks: &mut Vec<Tok>) -> bool {
    toks.clear();
    for p in &t.parts {
        match p {
            Part::Lit(l) => toks.extend(l.chars().map(|c| match c {
                '*' if glob => Tok::Star,
                '?' if glob => Tok::Quest,
                c => Tok::Char(c),
            })),
            Part::Escaped(c) => toks.push(Tok::Char(*c)),
            Part::Text(t) => toks.extend(t.chars().map(Tok::Char)),
            Part::Var { key, default } => match variable(ctx, key) {
                Some(v) => toks.extend(v.chars().map(Tok::Char)),
                None => match default {
                    Some(d) => toks.extend(d.chars().map(Tok::Char)),
                    None => return false,
                },
            },
        }
    }
    true
}

/// Resolves `t` as plain text into `out`.
pub fn resolve_text(t: &Template, ctx: &dyn Lookup, out: &mut String) -> bool {
    out.clear();
    for p in &t.parts {
        match p {
            Part::Lit(l) | Part::Text(l) => out.push_str(l),
            Part::Escaped(c) => out.push(*c),
            Part::Var { key, default } => match variable(ctx, key) {
                Some(v) => out.push_str(v),
                None => match default {
                    Some(d) => out.push_str(d),
                    None => return false,
                },
            },
        }
    }
    true
}

/// Resolves a resource template into glob tokens.
pub fn resolve_glob(t: &Template, ctx: &dyn Lookup, toks: &mut Vec<Tok>) -> bool {
    resolve_toks(t, true, ctx, toks)
}

/// The value of a policy variable: a single-valued key only (spec §5.3, A-22). The compiler
/// lower-cases variable keys, as the lookup wants them.
fn variable<'c>(ctx: &'c dyn Lookup, key: &str) -> Option<&'c str> {
    match ctx.get(key)? {
        Val::Single(s) => Some(s),
        Val::List(_) | Val::One(_) => None,
    }
}

/// [`arn_like`] of a literal pattern whose six components are all [`like_simple`] shapes,
/// compared component by component in place; `None` when some component needs the matcher.
fn arn_star_glob(pattern: &str, value: &str) -> Option<bool> {
    let (mut p, mut v) = (pattern, value);
    for _ in 0..5 {
        let (Some((pc, pr)), Some((vc, vr))) = (split_colon(p), split_colon(v)) else {
            return Some(false);
        };
        if !star_glob(pc, vc)? {
            return Some(false);
        }
        (p, v) = (pr, vr);
    }
    star_glob(p, v)
}

fn cmp(op: BaseOp, e: &str, v: Option<&CondValue>, ctx: &dyn Lookup, buf: &mut Buffers) -> Cmp {
    use BaseOp::*;
    let Some(v) = v else {
        // A value the front end could not parse (lenient import) compares as an error, after
        // the request side has been read (§4.8): both give `Error` here.
        return Cmp::Error;
    };
    match op {
        StringEquals | StringEqualsIgnoreCase => {
            let CondValue::Template(t) = v else {
                return Cmp::Error;
            };
            let text = match t.parts.as_slice() {
                // Most values are plain text: compare in place rather than copy.
                [Part::Lit(l) | Part::Text(l)] => l.as_str(),
                _ => {
                    if !resolve_text(t, ctx, &mut buf.text) {
                        return Cmp::NullFalse;
                    }
                    buf.text.as_str()
                }
            };
            if op == StringEquals {
                (e == text).into()
            } else {
                eq_ignore_case(e, text).into()
            }
        }
        StringLike => {
            let CondValue::Template(t) = v else {
                return Cmp::Error;
            };
            if let [Part::Lit(l)] = t.parts.as_slice()
                && let Some(hit) = star_glob(l, e)
            {
                return hit.into();
            }
            if !resolve_toks(t, true, ctx, &mut buf.toks) {
                return Cmp::NullFalse;
            }
            glob_match(&buf.toks, e).into()
        }
        NumericEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => match v {
            CondValue::Number(n) => {
                cmp_decimal_text(e, n).map_or(Cmp::Error, |o| relation_holds(op, o).into())
            }
            _ => Cmp::Error,
        },
        DateEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => match v {
            CondValue::Date(d) => {
                cmp_instant_text(e, d).map_or(Cmp::Error, |o| relation_holds(op, o).into())
            }
            _ => Cmp::Error,
        },
        Bool => {
            let Some(x) = parse_bool(e) else {
                return Cmp::Error;
            };
            match v {
                CondValue::Bool(b) => (x == *b).into(),
                CondValue::Template(t) => {
                    if !resolve_text(t, ctx, &mut buf.text) {
                        return Cmp::NullFalse;
                    }
                    parse_bool(&buf.text).map_or(Cmp::Error, |b| (x == b).into())
                }
                _ => Cmp::Error,
            }
        }
        BinaryEquals => match v {
            CondValue::Binary(b) => base64_equals(e, b).map_or(Cmp::Error, Cmp::from),
            _ => Cmp::Error,
        },
        IpAddress => match (parse_ip(e), v) {
            (Some(addr), CondValue::Ip(net)) => net.contains(&addr).into(),
            _ => Cmp::Error,
        },
        ArnEquals | ArnLike => {
            if !is_arn(e) {
                return Cmp::Error;
            }
            let CondValue::Template(t) = v else {
                return Cmp::Error;
            };
            if let [Part::Lit(l)] = t.parts.as_slice()
                && let Some(hit) = arn_star_glob(l, e)
            {
                return hit.into();
            }
            if !resolve_toks(t, true, ctx, &mut buf.toks) {
                return Cmp::NullFalse;
            }
            arn_like(&buf.toks, e).into()
        }
        StringNotEquals
        | StringNotEqualsIgnoreCase
        | StringNotLike
        | NumericNotEquals
        | DateNotEquals
        | NotIpAddress
        | ArnNotEquals
        | ArnNotLike
        | Null => Cmp::Error,
    }
}

fn relation_holds(op: BaseOp, ord: Ordering) -> bool {
    use BaseOp::*;
    match op {
        NumericEquals | DateEquals => ord.is_eq(),
        NumericLessThan | DateLessThan => ord.is_lt(),
        NumericLessThanEquals | DateLessThanEquals => ord.is_le(),
        NumericGreaterThan | DateGreaterThan => ord.is_gt(),
        NumericGreaterThanEquals | DateGreaterThanEquals => ord.is_ge(),
        _ => false,
    }
}

/// Simple (one-to-one) lower-casing per character, as the reference does.
fn eq_ignore_case(a: &str, b: &str) -> bool {
    let lower = |c: char| c.to_lowercase().next().unwrap_or(c);
    a.chars().map(lower).eq(b.chars().map(lower))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::context::Given;
    use crate::request::{Context, ContextValue};

    #[test]
    fn shortcuts_answer_as_the_general_path() {
        let text = |t: &str| Some(CondValue::Template(Template::parse(t)));
        let value_lists: Vec<Vec<Option<CondValue>>> = vec![
            vec![text("us-east-1"), text("eu-west-1")],
            vec![text("a")],
            vec![text("")],
            vec![],
            vec![text("true")],
            vec![Some(CondValue::Bool(false))],
            vec![Some(CondValue::Bool(true)), Some(CondValue::Bool(false))],
            vec![Some(CondValue::Bool(true))],
            // Not shortcuts: a variable, an unparsable value, a wildcard kept literal.
            vec![text("${aws:username}")],
            vec![None, text("a")],
            vec![text("a*")],
        ];
        let requests: Vec<Option<ContextValue>> = vec![
            None,
            Some(ContextValue::Single("us-east-1".into())),
            Some(ContextValue::Single("US-EAST-1".into())),
            Some(ContextValue::Single("eu-west-1".into())),
            Some(ContextValue::Single("a".into())),
            Some(ContextValue::Single("a*".into())),
            Some(ContextValue::Single(String::new())),
            Some(ContextValue::Single("true".into())),
            Some(ContextValue::Single("FALSE".into())),
            Some(ContextValue::Single("yes".into())),
            Some(ContextValue::List(vec!["a".into()])),
            Some(ContextValue::List(vec![])),
        ];
        let mut buf = Buffers::default();
        let (mut shortcuts, mut compared) = (0, 0);
        for name in [
            "StringEquals",
            "StringNotEquals",
            "StringEqualsIfExists",
            "StringNotEqualsIfExists",
            "Bool",
            "BoolIfExists",
            "ForAnyValue:StringEquals",
            "StringLike",
        ] {
            let op = Operator::parse(name).unwrap();
            for values in &value_lists {
                let clause = Clause::new(op, "k".into(), values.clone());
                let general = Clause {
                    shortcut: Shortcut::General,
                    ..clause.clone()
                };
                shortcuts += usize::from(clause.shortcut != Shortcut::General);
                for request in &requests {
                    let mut context = Context::new();
                    if let Some(v) = request {
                        context.set("k", v.clone());
                    }
                    let ctx = Given(&context);
                    let want = clause_holds(&general, &ctx, &mut buf);
                    let got = clause_holds(&clause, &ctx, &mut buf);
                    assert_eq!(got, want, "{name} {values:?} {request:?}");
                    compared += 1;
                }
            }
        }
        assert!(shortcuts >= 20, "{shortcuts}");
        assert!(compared > 1000);
    }

    #[test]
    fn arn_like_simple_agrees_with_arn_like() {
        let patterns = [
            "arn:aws:iam::*:root",
            "arn:aws:iam::111122223333:role/Admin*",
            "arn:aws:iam::*:role/*",
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a:b*",
            "arn:*:*:*:*:*",
            "arn:aws:iam::1?1:role/x",
            "arn:aws:iam::*:role/a*b",
            "arn:aws:iam::*:role/*admin*",
            "arn:aws:s3:::b*t/*/x*",
            "arn:aws:iam",
            "*",
            "arn:aws:sqs:us-east-1:111122223333:q",
        ];
        let values = [
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:role/AdminX",
            "arn:aws:iam::111122223333:role/a/b",
            "arn:aws:s3:::bucket/a:b:c",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::111122223333",
            "arn:aws:sqs:us-east-1:111122223333:q",
            "arn:aws:iam::1a1:role/x",
            "arn:aws:iam::111122223333:role/team-admin-1",
            "arn:aws:iam::111122223333:role/admin",
            "arn:aws:s3:::bucket/a/x",
            "arn:aws:s3:::bt/a/b/xy",
            "",
        ];
        let mut shortcut = 0;
        for p in patterns {
            for v in values {
                let want = arn_like(&Tok::glob(p), v);
                if let Some(hit) = arn_star_glob(p, v) {
                    shortcut += 1;
                    assert_eq!(hit, want, "{p:?} {v:?}");
                }
            }
        }
        assert!(shortcut > 50);
    }
}
