//! Condition evaluation (spec §4, §5.3).
//!
//! Read top-down, this file is the spec's algorithm: [`eval_condition`] ANDs the clauses (§4.1);
//! [`eval_clause`] looks the key up and applies the missing-key, list and set-operator rules
//! (§4.3, §4.5); `elem_ok` ORs (or NORs, for negated operators) the per-value comparisons of one
//! request element (§4.4); `cmp` compares one element with one policy value by the operator's
//! family (§4.6), resolving policy variables through [`variable_value`] (§5.3).

use crate::model::value::{ConditionValue, parse_base64, parse_bool, parse_ip};
use crate::model::{BaseOp, CondValue, ConditionClause, Decimal, Instant, Node, SetOp, Template};
use crate::reference::wildcard::{arn_like, glob_match, is_arn};
use gavel_runtime::{Context, ContextValue};
use std::cmp::Ordering;

/// The result of comparing one request element with one policy value (spec §4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    /// The positive partner's comparison holds.
    True,
    /// It does not hold.
    False,
    /// The request element cannot be read for the operator (§4.8 item 2), or the policy value
    /// cannot (lenient import of a bad literal, §4.8 item 1).
    Error,
    /// The policy value holds a variable with no value and no default: it never matches, and a
    /// negated operator counts it as "not equal" (§5.3 item 4, A-20).
    NullFalse,
}

impl From<bool> for Cmp {
    fn from(holds: bool) -> Cmp {
        if holds { Cmp::True } else { Cmp::False }
    }
}

/// The value a policy variable `${key}` takes (spec §5.3): the key's single value, looked up
/// case-insensitively. A multivalued key (a list, even of one element) cannot be a variable
/// so it has no value, like an absent key; the caller then uses the default, if any.
pub fn variable_value(ctx: &Context, key: &str) -> Option<String> {
    match ctx.get(key)? {
        ContextValue::Single(s) => Some(s.clone()),
        ContextValue::List(_) => None,
    }
}

/// Whether a statement's `Condition` holds: every clause must (AND, spec §4.1); no clauses
/// means no condition, which holds.
pub fn eval_condition(clauses: &[Node<ConditionClause>], ctx: &Context) -> bool {
    clauses.iter().all(|clause| eval_clause(clause, ctx))
}

/// Whether one `(operator, key, values)` clause holds for the request context (spec §4.3-§4.5).
pub fn eval_clause(clause: &ConditionClause, ctx: &Context) -> bool {
    let op = clause.operator.node;
    let found = ctx.get(&clause.key);
    if op.base == BaseOp::Null {
        return null_clause(&clause.values, found);
    }
    let elem_ok = |e: &str| elem_ok(op.base, e, &clause.values, ctx);
    match op.set {
        None => match found {
            // §4.5 rule 1, and the missing-key table.
            None => op.if_exists || op.base.is_negated(),
            // §4.5 rule 2: a multivalued key needs a set operator, whatever the
            // operator; even IfExists and negated operators are false.
            Some(ContextValue::List(_)) => false,
            Some(ContextValue::Single(s)) => elem_ok(s),
        },
        // A missing key, or nothing left after dropping empty strings, is vacuously true.
        Some(SetOp::ForAllValues) => set_elements(found).into_iter().all(elem_ok),
        Some(SetOp::ForAnyValue) => match found {
            // `IfExists` makes a missing key true for any operator, this one included.
            None => op.if_exists,
            Some(_) => set_elements(found).into_iter().any(elem_ok),
        },
    }
}

/// The elements a set operator ranges over (spec §4.5): none for a missing key, the one value of
/// a single-valued key, the list of a multivalued one; empty strings dropped (a null dataset).
fn set_elements(found: Option<&ContextValue>) -> Vec<&str> {
    let all: Vec<&str> = match found {
        None => Vec::new(),
        Some(ContextValue::Single(s)) => vec![s.as_str()],
        Some(ContextValue::List(items)) => items.iter().map(String::as_str).collect(),
    };
    all.into_iter().filter(|e| !e.is_empty()).collect()
}

/// `Null` (spec §4.5): the value `true` holds when the key is null, `false` when it is not;
/// the values are ORed. Absent, the empty string and the empty list are null.
fn null_clause(values: &[Node<ConditionValue>], found: Option<&ContextValue>) -> bool {
    let is_null = match found {
        None => true,
        Some(ContextValue::Single(s)) => s.is_empty(),
        Some(ContextValue::List(items)) => items.is_empty(),
    };
    // A value that is not a parsed `true`/`false` (lenient import) holds for nothing.
    values.iter().any(|v| v.parsed == CondValue::Null(is_null))
}

/// Whether one request element passes the clause's values (spec §4.4): some comparison is
/// `True` for a positive operator (OR); for a negated one every comparison is `False` or
/// `NullFalse` (NOR), an `Error` making it fail.
fn elem_ok(base: BaseOp, e: &str, values: &[Node<ConditionValue>], ctx: &Context) -> bool {
    let positive = base.positive();
    let mut results = values.iter().map(|v| cmp(positive, e, &v.parsed, ctx));
    if base.is_negated() {
        results.all(|r| matches!(r, Cmp::False | Cmp::NullFalse))
    } else {
        results.any(|r| r == Cmp::True)
    }
}

/// Compares request element `e` with one policy value under a positive operator (spec §4.6).
///
/// The request side is read first: an element that cannot be read for the operator is `Error`
/// whatever the policy value says, so a negated operator is false for it even against a
/// value-less variable (§4.8 item 2: "the clause is false either way").
fn cmp(op: BaseOp, e: &str, v: &CondValue, ctx: &Context) -> Cmp {
    use BaseOp::*;
    let lookup = |key: &str| variable_value(ctx, key);
    match op {
        StringEquals => match v {
            CondValue::Template(t) => resolved(t, &lookup, |s| e == s),
            _ => Cmp::Error,
        },
        StringEqualsIgnoreCase => match v {
            CondValue::Template(t) => resolved(t, &lookup, |s| eq_ignore_case(e, &s)),
            _ => Cmp::Error,
        },
        StringLike => match v {
            CondValue::Template(t) => match t.resolve(true, &lookup) {
                None => Cmp::NullFalse,
                Some(glob) => glob_match(&glob, e).into(),
            },
            _ => Cmp::Error,
        },
        NumericEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => match (Decimal::parse(e), v) {
            (Some(x), CondValue::Number(n)) => relation_holds(op, x.cmp(n)).into(),
            _ => Cmp::Error,
        },
        DateEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => match (Instant::parse(e), v) {
            (Some(x), CondValue::Date(d)) => relation_holds(op, x.cmp(d)).into(),
            _ => Cmp::Error,
        },
        Bool => {
            let Some(x) = parse_bool(e) else {
                return Cmp::Error;
            };
            match v {
                CondValue::Bool(b) => (x == *b).into(),
                // variables are resolved, then the text must read as a boolean.
                CondValue::Template(t) => match t.resolve_string(&lookup) {
                    None => Cmp::NullFalse,
                    Some(s) => parse_bool(&s).map_or(Cmp::Error, |b| (x == b).into()),
                },
                _ => Cmp::Error,
            }
        }
        BinaryEquals => match (parse_base64(e), v) {
            (Some(bytes), CondValue::Binary(b)) => (bytes == *b).into(),
            _ => Cmp::Error,
        },
        // `IpNet::contains` is false across address families: an IPv4 address is never in an
        // IPv6 block and the reverse, as the spec requires.
        IpAddress => match (parse_ip(e), v) {
            (Some(addr), CondValue::Ip(net)) => net.contains(&addr).into(),
            _ => Cmp::Error,
        },
        ArnEquals | ArnLike => {
            if !is_arn(e) {
                return Cmp::Error;
            }
            match v {
                CondValue::Template(t) => match t.resolve(true, &lookup) {
                    None => Cmp::NullFalse,
                    Some(pattern) => arn_like(&pattern, e).into(),
                },
                _ => Cmp::Error,
            }
        }
        // Never reached: `elem_ok` passes the positive partner, and `eval_clause` handles `Null`
        // itself. Answering `Error` keeps a misuse from ever granting anything.
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

/// Resolves a string template without wildcards and tests the text; `NullFalse` when a variable
/// has no value and no default.
fn resolved(
    t: &Template,
    lookup: &dyn Fn(&str) -> Option<String>,
    test: impl Fn(String) -> bool,
) -> Cmp {
    match t.resolve_string(lookup) {
        None => Cmp::NullFalse,
        Some(s) => test(s).into(),
    }
}

/// Whether `request ⋈ policy` holds, given `request.cmp(policy)`, for a Numeric or Date operator.
fn relation_holds(op: BaseOp, ord: Ordering) -> bool {
    use BaseOp::*;
    match op {
        NumericEquals | DateEquals => ord.is_eq(),
        NumericLessThan | DateLessThan => ord.is_lt(),
        NumericLessThanEquals | DateLessThanEquals => ord.is_le(),
        NumericGreaterThan | DateGreaterThan => ord.is_gt(),
        NumericGreaterThanEquals | DateGreaterThanEquals => ord.is_ge(),
        // Not an ordering operator; `cmp` never asks.
        _ => false,
    }
}

/// `StringEqualsIgnoreCase` equality (spec §4.6): both sides lower-cased one character at a time
/// with the simple (one-to-one) mapping, so lengths never change and `ß` stays unequal to `ss`.
fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.chars().map(simple_lower).eq(b.chars().map(simple_lower))
}

/// The simple lower-case mapping of one character. Rust's `to_lowercase` gives the full
/// mapping, which differs from the simple one only where it expands (`İ` -> `i̇`); the first
/// character of the expansion is the simple mapping there.
fn simple_lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::value::parse_cidr;
    use crate::model::{Family, Operator};

    // ---- helpers ----

    /// Parses a policy value the way the front end does for the operator's family.
    fn parse_value(family: Family, raw: &str) -> CondValue {
        fn must<T>(parsed: Option<T>, raw: &str) -> T {
            parsed.unwrap_or_else(|| panic!("bad test value {raw:?}"))
        }
        match family {
            Family::String | Family::Arn => CondValue::Template(Template::parse(raw)),
            Family::Numeric => CondValue::Number(must(Decimal::parse(raw), raw)),
            Family::Date => CondValue::Date(must(Instant::parse(raw), raw)),
            Family::Bool => {
                let t = Template::parse(raw);
                if t.has_variables() {
                    CondValue::Template(t)
                } else {
                    CondValue::Bool(must(parse_bool(raw), raw))
                }
            }
            Family::Binary => CondValue::Binary(must(parse_base64(raw), raw)),
            Family::Ip => CondValue::Ip(must(parse_cidr(raw), raw)),
            Family::Null => CondValue::Null(must(parse_bool(raw), raw)),
        }
    }

    /// A clause as a 2012-10-17 policy would give it.
    fn clause(op: &str, key: &str, values: &[&str]) -> ConditionClause {
        let operator = Operator::parse(op).unwrap_or_else(|e| panic!("{op}: {e:?}"));
        let values = values
            .iter()
            .map(|raw| {
                Node::synthetic(ConditionValue {
                    raw: raw.to_string(),
                    parsed: parse_value(operator.base.family(), raw),
                })
            })
            .collect();
        ConditionClause {
            operator: Node::synthetic(operator),
            key: Node::synthetic(key.to_string()),
            values,
        }
    }

    fn one(s: &str) -> ContextValue {
        ContextValue::Single(s.to_string())
    }

    fn list(items: &[&str]) -> ContextValue {
        ContextValue::List(items.iter().map(|s| s.to_string()).collect())
    }

    fn ctx(entries: Vec<(&str, ContextValue)>) -> Context {
        let mut c = Context::new();
        for (k, v) in entries {
            c.insert(k, v).unwrap_or_else(|e| panic!("{e}"));
        }
        c
    }

    /// Evaluates one clause against a context.
    fn ev(op: &str, key: &str, values: &[&str], c: &Context) -> bool {
        eval_clause(&clause(op, key, values), c)
    }

    /// Evaluates a clause against a context holding only `key = value`, or nothing.
    fn ev1(op: &str, key: &str, values: &[&str], value: Option<ContextValue>) -> bool {
        let c = match value {
            Some(v) => ctx(vec![(key, v)]),
            None => Context::new(),
        };
        ev(op, key, values, &c)
    }

    fn raw_cmp(op: &str, e: &str, v: &str) -> Cmp {
        let operator = Operator::parse(op).unwrap_or_else(|e| panic!("{e:?}"));
        cmp(
            operator.base.positive(),
            e,
            &parse_value(operator.base.family(), v),
            &Context::new(),
        )
    }

    // ---- variable_value ----

    #[test]
    fn variable_value_single_only() {
        let c = ctx(vec![
            ("aws:username", one("alice")),
            ("aws:TagKeys", list(&["a"])),
            ("aws:empty", one("")),
        ]);
        assert_eq!(variable_value(&c, "aws:username"), Some("alice".into()));
        assert_eq!(variable_value(&c, "AWS:UserName"), Some("alice".into()));
        assert_eq!(variable_value(&c, "aws:TagKeys"), None, "A-22");
        assert_eq!(variable_value(&c, "aws:missing"), None);
        assert_eq!(variable_value(&c, "aws:empty"), Some(String::new()));
    }

    // ---- eval_condition ----

    #[test]
    fn empty_condition_holds() {
        assert!(eval_condition(&[], &Context::new()));
    }

    #[test]
    fn clauses_are_anded_c18() {
        let clauses: Vec<Node<ConditionClause>> = [
            clause(
                "StringEquals",
                "aws:PrincipalTag/department",
                &["finance", "hr", "legal"],
            ),
            clause(
                "StringEquals",
                "aws:PrincipalTag/role",
                &["audit", "security"],
            ),
            clause(
                "ArnLike",
                "aws:PrincipalArn",
                &[
                    "arn:aws:iam::222222222222:user/Ana",
                    "arn:aws:iam::222222222222:user/Mary",
                ],
            ),
        ]
        .into_iter()
        .map(Node::synthetic)
        .collect();
        let mary = |department: &str, role: &str| {
            ctx(vec![
                ("aws:PrincipalTag/department", one(department)),
                ("aws:PrincipalTag/role", one(role)),
                (
                    "aws:PrincipalArn",
                    one("arn:aws:iam::222222222222:user/Mary"),
                ),
            ])
        };
        assert!(!eval_condition(&clauses, &mary("hr", "payroll")));
        assert!(eval_condition(&clauses, &mary("legal", "audit")));
        assert!(!eval_condition(&clauses, &mary("it", "audit")));
    }

    #[test]
    fn keys_differing_in_case_are_two_clauses_both_required() {
        let clauses: Vec<Node<ConditionClause>> = [
            clause("StringEquals", "aws:PrincipalTag/team", &["blue"]),
            clause("StringEquals", "AWS:PrincipalTag/TEAM", &["red"]),
        ]
        .into_iter()
        .map(Node::synthetic)
        .collect();
        let c = ctx(vec![("aws:principaltag/team", one("blue"))]);
        assert!(!eval_condition(&clauses, &c));
        assert!(eval_condition(&clauses[..1], &c));
    }

    // ---- String family ----

    #[test]
    fn string_equals_is_exact_c31() {
        let johndoe = Some(one("JohnDoe"));
        assert!(!ev1(
            "StringEquals",
            "aws:username",
            &["johndoe"],
            johndoe.clone()
        ));
        assert!(ev1(
            "StringEquals",
            "aws:username",
            &["JohnDoe"],
            johndoe.clone()
        ));
        assert!(ev1(
            "StringEqualsIgnoreCase",
            "AWS:UserName",
            &["johndoe"],
            johndoe
        ));
        // `*` is an ordinary character for StringEquals.
        assert!(!ev1("StringEquals", "k", &["a*"], Some(one("ab"))));
        assert!(ev1("StringEquals", "k", &["a*"], Some(one("a*"))));
        // The empty string is a value like any other.
        assert!(ev1("StringEquals", "k", &[""], Some(one(""))));
        assert!(!ev1("StringEquals", "k", &[""], Some(one("x"))));
    }

    #[test]
    fn key_names_are_case_insensitive_including_tag_key_c31() {
        let tagged = ctx(vec![("aws:ResourceTag/tagkey1", one("Value1"))]);
        assert!(ev(
            "StringEquals",
            "aws:ResourceTag/TagKey1",
            &["Value1"],
            &tagged
        ));
        assert!(ev(
            "StringEquals",
            "AWS:RESOURCETAG/TAGKEY1",
            &["Value1"],
            &tagged
        ));
        assert!(!ev(
            "StringEquals",
            "aws:ResourceTag/TagKey1",
            &["value1"],
            &tagged
        ));
        assert!(!ev(
            "StringEquals",
            "aws:ResourceTag/TagKey2",
            &["Value1"],
            &tagged
        ));
    }

    #[test]
    fn string_values_or_c18() {
        let vals = ["finance", "hr", "legal"];
        assert!(ev1("StringEquals", "k", &vals, Some(one("hr"))));
        assert!(!ev1("StringEquals", "k", &vals, Some(one("payroll"))));
    }

    #[test]
    fn string_not_equals_is_nor_c17() {
        let vals = ["111122223333", "444455556666"];
        let key = "aws:PrincipalAccount";
        assert!(!ev1(
            "StringNotEquals",
            key,
            &vals,
            Some(one("111122223333"))
        ));
        assert!(!ev1(
            "StringNotEquals",
            key,
            &vals,
            Some(one("444455556666"))
        ));
        assert!(ev1(
            "StringNotEquals",
            key,
            &vals,
            Some(one("777788889999"))
        ));
    }

    #[test]
    fn string_missing_key_c15_c16() {
        assert!(!ev1(
            "StringEquals",
            "aws:PrincipalTag/job-category",
            &["x"],
            None
        ));
        assert!(ev1(
            "StringNotEquals",
            "aws:PrincipalOrgID",
            &["o-abc"],
            None
        ));
        assert!(ev1("StringNotLike", "k", &["a*"], None));
        assert!(!ev1("StringLike", "k", &["*"], None));
        assert!(ev1("StringEqualsIfExists", "k", &["x"], None));
        assert!(!ev1("StringEqualsIgnoreCase", "k", &["x"], None));
        assert!(ev1("StringNotEqualsIgnoreCase", "k", &["x"], None));
    }

    #[test]
    fn string_if_exists_c19_c20() {
        let types = ["t1.*", "t2.*", "m3.*"];
        let key = "ec2:InstanceType";
        assert!(ev1("StringLikeIfExists", key, &types, None));
        assert!(!ev1(
            "StringLikeIfExists",
            key,
            &types,
            Some(one("m2.micro"))
        ));
        assert!(ev1(
            "StringLikeIfExists",
            key,
            &types,
            Some(one("t2.micro"))
        ));
        // C-20: the negated IfExists form is true when the key is missing.
        let vpc = ["vpc-111bbb22"];
        assert!(ev1("StringNotEqualsIfExists", "aws:SourceVpc", &vpc, None));
        assert!(!ev1(
            "StringNotEqualsIfExists",
            "aws:SourceVpc",
            &vpc,
            Some(one("vpc-111bbb22"))
        ));
        assert!(ev1(
            "StringNotEqualsIfExists",
            "aws:SourceVpc",
            &vpc,
            Some(one("vpc-other"))
        ));
    }

    #[test]
    fn multivalued_key_without_set_operator_is_false_c36() {
        for op in [
            "StringEquals",
            "StringNotEquals",
            "StringEqualsIfExists",
            "StringNotEqualsIfExists",
            "StringLike",
            "StringNotLike",
        ] {
            assert!(
                !ev1(
                    op,
                    "aws:TagKeys",
                    &["environment"],
                    Some(list(&["environment"]))
                ),
                "{op} one element"
            );
            assert!(
                !ev1(op, "aws:TagKeys", &["environment"], Some(list(&["a", "b"]))),
                "{op} two elements"
            );
            assert!(
                !ev1(op, "aws:TagKeys", &["environment"], Some(list(&[]))),
                "{op} empty list"
            );
        }
    }

    #[test]
    fn string_equals_ignore_case_is_simple_lowercasing() {
        assert!(ev1(
            "StringEqualsIgnoreCase",
            "k",
            &["STRASSE"],
            Some(one("strasse"))
        ));
        assert!(!ev1(
            "StringEqualsIgnoreCase",
            "k",
            &["straße"],
            Some(one("STRASSE"))
        ));
        assert!(!ev1("StringEqualsIgnoreCase", "k", &["ß"], Some(one("ss"))));
        // Capital sharp s lower-cases to ß under the simple mapping.
        assert!(ev1("StringEqualsIgnoreCase", "k", &["ẞ"], Some(one("ß"))));
        assert!(ev1(
            "StringEqualsIgnoreCase",
            "k",
            &["ÉTÉ"],
            Some(one("été"))
        ));
        // İ's simple lower case is i (its full one, i + combining dot, would differ).
        assert!(ev1("StringEqualsIgnoreCase", "k", &["İ"], Some(one("i"))));
        assert!(!ev1(
            "StringEqualsIgnoreCase",
            "k",
            &["abc"],
            Some(one("abcd"))
        ));
        assert!(!ev1(
            "StringNotEqualsIgnoreCase",
            "k",
            &["ABC"],
            Some(one("abc"))
        ));
        assert!(ev1(
            "StringNotEqualsIgnoreCase",
            "k",
            &["ABC"],
            Some(one("abd"))
        ));
    }

    #[test]
    fn string_equals_does_not_normalize() {
        assert!(!ev1(
            "StringEquals",
            "k",
            &["\u{ea}"],
            Some(one("e\u{302}"))
        ));
        assert!(ev1(
            "StringNotEquals",
            "k",
            &["\u{ea}"],
            Some(one("e\u{302}"))
        ));
    }

    #[test]
    fn string_like_globs() {
        assert!(ev1(
            "StringLike",
            "s3:prefix",
            &["home/*"],
            Some(one("home/a/b"))
        ));
        assert!(ev1(
            "StringLike",
            "s3:prefix",
            &["home/*"],
            Some(one("home/"))
        ));
        assert!(!ev1(
            "StringLike",
            "s3:prefix",
            &["home/*"],
            Some(one("Home/a"))
        ));
        assert!(ev1("StringLike", "k", &["a?c"], Some(one("abc"))));
        assert!(!ev1("StringLike", "k", &["a?c"], Some(one("ac"))));
        assert!(!ev1("StringNotLike", "k", &["a*", "b*"], Some(one("bx"))));
        assert!(ev1("StringNotLike", "k", &["a*", "b*"], Some(one("cx"))));
    }

    #[test]
    fn escaped_star_is_literal_c43() {
        let v = ["home/${*}"];
        assert!(ev1("StringLike", "s3:prefix", &v, Some(one("home/*"))));
        assert!(!ev1("StringLike", "s3:prefix", &v, Some(one("home/x"))));
        assert!(ev1("StringLike", "k", &["a${?}"], Some(one("a?"))));
        assert!(!ev1("StringLike", "k", &["a${?}"], Some(one("ab"))));
        assert!(ev1("StringEquals", "k", &["${$}{x}"], Some(one("${x}"))));
    }

    #[test]
    fn string_variables_resolve_case_insensitively() {
        let c = ctx(vec![
            ("aws:username", one("alice")),
            ("s3:prefix", one("home/alice/x")),
        ]);
        assert!(ev(
            "StringLike",
            "s3:prefix",
            &["home/${AWS:UserName}/*"],
            &c
        ));
        assert!(!ev(
            "StringLike",
            "s3:prefix",
            &["home/${aws:userid}/*"],
            &c
        ));
        assert!(ev("StringEquals", "aws:username", &["${aws:username}"], &c));
        let bob = ctx(vec![
            ("aws:username", one("bob")),
            ("s3:prefix", one("home/alice/x")),
        ]);
        assert!(!ev(
            "StringLike",
            "s3:prefix",
            &["home/${aws:username}/*"],
            &bob
        ));
    }

    #[test]
    fn variable_text_is_literal_under_string_like() {
        let c = ctx(vec![
            ("aws:username", one("a*")),
            ("s3:prefix", one("home/a*/x")),
        ]);
        assert!(ev(
            "StringLike",
            "s3:prefix",
            &["home/${aws:username}/*"],
            &c
        ));
        let c2 = ctx(vec![
            ("aws:username", one("a*")),
            ("s3:prefix", one("home/ab/x")),
        ]);
        assert!(!ev(
            "StringLike",
            "s3:prefix",
            &["home/${aws:username}/*"],
            &c2
        ));
    }

    #[test]
    fn variable_without_value_c42_a20() {
        let c = ctx(vec![("s3:ExistingObjectTag/Team", one("red"))]);
        let v = ["${aws:PrincipalTag/Team}"];
        assert!(ev("StringNotEquals", "s3:ExistingObjectTag/Team", &v, &c));
        assert!(!ev("StringEquals", "s3:ExistingObjectTag/Team", &v, &c));
        assert!(!ev("StringLike", "s3:ExistingObjectTag/Team", &v, &c));
        assert!(ev("StringNotLike", "s3:ExistingObjectTag/Team", &v, &c));
        // With the tag set, the comparison is real again.
        let same = ctx(vec![
            ("s3:ExistingObjectTag/Team", one("red")),
            ("aws:PrincipalTag/Team", one("red")),
        ]);
        assert!(!ev(
            "StringNotEquals",
            "s3:ExistingObjectTag/Team",
            &v,
            &same
        ));
        assert!(ev("StringEquals", "s3:ExistingObjectTag/Team", &v, &same));
        // Null-false is "not equal" only: another value that does match still fails the NOR.
        let two = ["${aws:PrincipalTag/Team}", "red"];
        assert!(!ev(
            "StringNotEquals",
            "s3:ExistingObjectTag/Team",
            &two,
            &c
        ));
        assert!(ev("StringEquals", "s3:ExistingObjectTag/Team", &two, &c));
    }

    #[test]
    fn variable_defaults_c41() {
        let v = ["b-${aws:PrincipalTag/team, 'company-wide'}"];
        let untagged = ctx(vec![("s3:x", one("b-company-wide"))]);
        assert!(ev("StringEquals", "s3:x", &v, &untagged));
        let yellow = ctx(vec![
            ("s3:x", one("b-yellow")),
            ("aws:PrincipalTag/team", one("yellow")),
        ]);
        assert!(ev("StringEquals", "s3:x", &v, &yellow));
        let yellow_cw = ctx(vec![
            ("s3:x", one("b-company-wide")),
            ("aws:PrincipalTag/team", one("yellow")),
        ]);
        assert!(!ev("StringEquals", "s3:x", &v, &yellow_cw));
        // An empty value is a value: the default is not used.
        let empty = ctx(vec![
            ("s3:x", one("b-")),
            ("aws:PrincipalTag/team", one("")),
        ]);
        assert!(ev("StringEquals", "s3:x", &v, &empty));
    }

    #[test]
    fn multivalued_key_as_variable_has_no_value_a22() {
        let c = ctx(vec![("aws:TagKeys", list(&["x"])), ("k", one("x"))]);
        assert!(!ev("StringEquals", "k", &["${aws:TagKeys}"], &c));
        assert!(ev("StringNotEquals", "k", &["${aws:TagKeys}"], &c));
        assert!(
            ev("StringEquals", "k", &["${aws:TagKeys, 'x'}"], &c),
            "default applies"
        );
    }

    // ---- set operators ----

    #[test]
    fn for_all_values_whitelist_c32() {
        let attrs = ["ID", "Message", "Tags"];
        let key = "dynamodb:Attributes";
        let op = "ForAllValues:StringEquals";
        assert!(ev1(op, key, &attrs, Some(list(&["ID", "Message", "Tags"]))));
        assert!(ev1(op, key, &attrs, Some(list(&["ID"]))));
        assert!(!ev1(
            op,
            key,
            &attrs,
            Some(list(&["ID", "Message", "UserName"]))
        ));
    }

    #[test]
    fn for_all_values_missing_or_empty_is_true_c33() {
        let op = "ForAllValues:StringEquals";
        assert!(ev1(op, "aws:TagKeys", &["environment"], None));
        assert!(ev1(op, "aws:TagKeys", &["environment"], Some(list(&[]))));
        assert!(ev1(
            op,
            "aws:TagKeys",
            &["environment"],
            Some(list(&["", ""]))
        ));
        assert!(ev1(op, "aws:TagKeys", &["environment"], Some(one(""))));
        assert!(ev1("ForAllValues:StringEqualsIfExists", "k", &["x"], None));
        // Empty strings are dropped, the rest must still pass.
        assert!(ev1(op, "k", &["a"], Some(list(&["a", ""]))));
        assert!(!ev1(op, "k", &["a"], Some(list(&["a", "", "b"]))));
    }

    #[test]
    fn for_any_value_in_a_deny_c34() {
        let vals = ["ID", "PostDateTime"];
        let key = "dynamodb:Attributes";
        let op = "ForAnyValue:StringEquals";
        assert!(ev1(
            op,
            key,
            &vals,
            Some(list(&["UserName", "Message", "PostDateTime"]))
        ));
        assert!(!ev1(op, key, &vals, Some(list(&["UserName"]))));
        assert!(!ev1(op, key, &vals, None));
        assert!(!ev1(op, key, &vals, Some(list(&[]))));
        assert!(
            !ev1(op, "k", &[""], Some(list(&[""]))),
            "empty strings are dropped"
        );
        assert!(!ev1(op, "k", &[""], Some(one(""))));
    }

    #[test]
    fn for_any_value_if_exists_missing_is_true_a14() {
        assert!(ev1("ForAnyValue:StringEqualsIfExists", "k", &["x"], None));
        assert!(!ev1(
            "ForAnyValue:StringEqualsIfExists",
            "k",
            &["x"],
            Some(list(&["y"]))
        ));
        assert!(ev1(
            "ForAnyValue:StringEqualsIfExists",
            "k",
            &["x"],
            Some(list(&["y", "x"]))
        ));
        // A present but empty set is not "missing".
        assert!(!ev1(
            "ForAnyValue:StringEqualsIfExists",
            "k",
            &["x"],
            Some(list(&[]))
        ));
    }

    #[test]
    fn for_all_values_negated_c35_a26() {
        let op = "ForAllValues:StringNotLike";
        let key = "aws:TagKeys";
        assert!(ev1(op, key, &["key1*"], Some(list(&["key2:audit"]))));
        assert!(!ev1(
            op,
            key,
            &["key1*"],
            Some(list(&["key1:hr", "key1:personnel"]))
        ));
        assert!(!ev1(
            op,
            key,
            &["key1*"],
            Some(list(&["key2:audit", "key1:hr"]))
        ));
        assert!(ev1(op, key, &["key1*"], None));
    }

    #[test]
    fn for_any_value_negated() {
        let op = "ForAnyValue:StringNotEquals";
        assert!(ev1(op, "k", &["a", "b"], Some(list(&["a", "c"]))));
        assert!(!ev1(op, "k", &["a", "b"], Some(list(&["a", "b"]))));
        assert!(!ev1(op, "k", &["a", "b"], None));
    }

    #[test]
    fn set_operator_on_single_valued_key_c37() {
        let op = "ForAllValues:StringEquals";
        let key = "aws:PrincipalTag/team";
        assert!(ev1(op, key, &["blue"], Some(one("blue"))));
        assert!(!ev1(op, key, &["blue"], Some(one("red"))));
        assert!(ev1(op, key, &["blue"], None));
        assert!(ev1(
            "ForAnyValue:StringEquals",
            key,
            &["blue"],
            Some(one("blue"))
        ));
        assert!(!ev1(
            "ForAnyValue:StringEquals",
            key,
            &["blue"],
            Some(one("red"))
        ));
    }

    #[test]
    fn set_operators_with_string_like() {
        let op = "ForAllValues:StringLike";
        assert!(ev1(
            op,
            "k",
            &["env*", "cost*"],
            Some(list(&["env", "costcenter"]))
        ));
        assert!(!ev1(
            op,
            "k",
            &["env*", "cost*"],
            Some(list(&["env", "owner"]))
        ));
        assert!(ev1(
            "ForAnyValue:StringLike",
            "k",
            &["own*"],
            Some(list(&["env", "owner"]))
        ));
    }

    // ---- Numeric ----

    #[test]
    fn numeric_c26() {
        let op = "NumericLessThanEquals";
        let key = "s3:max-keys";
        assert!(ev1(op, key, &["10"], Some(one("10"))));
        assert!(!ev1(op, key, &["10"], Some(one("11"))));
        assert!(ev1(op, key, &["10"], Some(one("10.0"))), "A-16");
        assert!(!ev1(op, key, &["10"], Some(one("ten"))));
        assert!(ev1(op, key, &["10"], Some(one("-3"))));
        assert_eq!(raw_cmp(op, "ten", "10"), Cmp::Error);
        assert_eq!(
            raw_cmp(op, "1e1", "10"),
            Cmp::Error,
            "only the decimal grammar"
        );
        assert_eq!(raw_cmp(op, " 10", "10"), Cmp::Error);
    }

    #[test]
    fn numeric_every_relation() {
        let k = Some(one("5"));
        assert!(ev1("NumericEquals", "k", &["5.00"], k.clone()));
        assert!(!ev1("NumericEquals", "k", &["6"], k.clone()));
        assert!(ev1("NumericLessThan", "k", &["6"], k.clone()));
        assert!(!ev1("NumericLessThan", "k", &["5"], k.clone()));
        assert!(ev1("NumericGreaterThan", "k", &["4.99"], k.clone()));
        assert!(!ev1("NumericGreaterThan", "k", &["5"], k.clone()));
        assert!(ev1("NumericGreaterThanEquals", "k", &["5"], k.clone()));
        assert!(!ev1("NumericGreaterThanEquals", "k", &["5.01"], k.clone()));
        assert!(ev1("NumericLessThanEquals", "k", &["5"], k.clone()));
        assert!(!ev1("NumericLessThanEquals", "k", &["-5"], k.clone()));
        // Several values: OR.
        assert!(ev1("NumericEquals", "k", &["1", "5"], k.clone()));
    }

    #[test]
    fn numeric_not_equals_and_errors() {
        assert!(ev1("NumericNotEquals", "k", &["5", "6"], Some(one("7"))));
        assert!(!ev1("NumericNotEquals", "k", &["5", "6"], Some(one("6.0"))));
        assert!(
            !ev1("NumericNotEquals", "k", &["5"], Some(one("seven"))),
            "§4.8: error"
        );
        assert!(ev1("NumericNotEquals", "k", &["5"], None));
        assert!(!ev1("NumericEquals", "k", &["5"], None));
        assert!(ev1("NumericEqualsIfExists", "k", &["5"], None));
        assert!(!ev1("NumericEqualsIfExists", "k", &["5"], Some(one("6"))));
        assert!(
            !ev1("NumericEquals", "k", &["5"], Some(list(&["5"]))),
            "A-13"
        );
        assert!(
            !ev1("NumericNotEqualsIfExists", "k", &["5"], Some(list(&["6"]))),
            "A-13"
        );
    }

    #[test]
    fn numeric_set_operators() {
        let op = "ForAnyValue:NumericGreaterThan";
        assert!(ev1(op, "k", &["10"], Some(list(&["1", "20"]))));
        assert!(!ev1(op, "k", &["10"], Some(list(&["1", "2"]))));
        assert!(
            !ev1(op, "k", &["10"], Some(list(&["x", "2"]))),
            "error elements fail"
        );
        assert!(ev1(op, "k", &["10"], Some(list(&["x", "11"]))));
        let all = "ForAllValues:NumericLessThan";
        assert!(ev1(all, "k", &["10"], Some(list(&["1", "2"]))));
        assert!(!ev1(all, "k", &["10"], Some(list(&["1", "x"]))));
    }

    // ---- Date ----

    #[test]
    fn date_missing_key_c24() {
        let op = "DateGreaterThan";
        assert!(!ev1(
            op,
            "aws:TokenIssueTime",
            &["2020-01-01T00:00:01Z"],
            None
        ));
        assert!(ev1(
            op,
            "aws:TokenIssueTime",
            &["2020-01-01T00:00:01Z"],
            Some(one("2020-01-01T00:00:02Z"))
        ));
        assert!(!ev1(
            op,
            "aws:TokenIssueTime",
            &["2020-01-01T00:00:01Z"],
            Some(one("2020-01-01T00:00:01Z"))
        ));
        assert!(ev1(
            "DateGreaterThanIfExists",
            "aws:TokenIssueTime",
            &["2020"],
            None
        ));
        assert!(ev1("DateNotEquals", "aws:TokenIssueTime", &["2020"], None));
    }

    #[test]
    fn date_forms_c25() {
        let now = Some(one("2026-03-01T10:00:00Z"));
        assert!(
            ev1("DateGreaterThan", "aws:CurrentTime", &["2020"], now.clone()),
            "A-17"
        );
        assert!(!ev1(
            "DateGreaterThan",
            "aws:CurrentTime",
            &["2027-01-01"],
            now.clone()
        ));
        assert!(ev1(
            "DateLessThan",
            "aws:CurrentTime",
            &["2030-01-01T00:00:00Z"],
            now.clone()
        ));
        assert!(ev1(
            "DateLessThan",
            "aws:EpochTime",
            &["1893456000"],
            Some(one("1772359200"))
        ));
        // The request side is read the same way: epoch seconds against a W3C policy value.
        assert!(ev1(
            "DateEquals",
            "aws:EpochTime",
            &["2030-01-01T00:00:00Z"],
            Some(one("1893456000"))
        ));
        assert!(ev1(
            "DateEquals",
            "k",
            &["2030-01-01"],
            Some(one("2030-01-01T02:00:00+02:00"))
        ));
        assert!(ev1(
            "DateLessThanEquals",
            "k",
            &["2030-01-01"],
            Some(one("2030-01-01"))
        ));
        assert!(!ev1(
            "DateLessThanEquals",
            "k",
            &["2030-01-01"],
            Some(one("2030-01-01T00:00:01Z"))
        ));
        assert!(ev1(
            "DateGreaterThanEquals",
            "k",
            &["2030-01-01"],
            Some(one("2030-01-01"))
        ));
        assert!(!ev1(
            "DateGreaterThanEquals",
            "k",
            &["2030-01-01"],
            Some(one("2029-12-31T23:59:59Z"))
        ));
    }

    #[test]
    fn date_fractions_keep_precision() {
        let v = ["2030-01-01T00:00:00.5Z"];
        assert!(ev1(
            "DateGreaterThan",
            "k",
            &v,
            Some(one("2030-01-01T00:00:00.50001Z"))
        ));
        assert!(!ev1(
            "DateGreaterThan",
            "k",
            &v,
            Some(one("2030-01-01T00:00:00.500Z"))
        ));
        assert!(ev1("DateEquals", "k", &v, Some(one("1893456000.5"))));
    }

    #[test]
    fn date_unparsable_request_is_error() {
        assert_eq!(raw_cmp("DateLessThan", "tomorrow", "2030"), Cmp::Error);
        assert!(!ev1("DateLessThan", "k", &["2030"], Some(one("tomorrow"))));
        assert!(!ev1("DateNotEquals", "k", &["2030"], Some(one("tomorrow"))));
        assert!(ev1("DateNotEquals", "k", &["2030"], Some(one("2031"))));
        assert!(!ev1("DateNotEquals", "k", &["2030"], Some(one("2030"))));
        assert!(
            !ev1("DateEquals", "k", &["2030"], Some(list(&["2030"]))),
            "A-13"
        );
        assert!(ev1(
            "ForAnyValue:DateEquals",
            "k",
            &["2030"],
            Some(list(&["1", "2030"]))
        ));
    }

    // ---- Bool ----

    #[test]
    fn bool_mfa_c21_c22() {
        let key = "aws:MultiFactorAuthPresent";
        assert!(!ev1("Bool", key, &["false"], None), "C-21: long-term keys");
        assert!(ev1("Bool", key, &["false"], Some(one("false"))));
        assert!(!ev1("Bool", key, &["false"], Some(one("true"))));
        assert!(ev1("BoolIfExists", key, &["false"], None), "C-22");
        assert!(!ev1("BoolIfExists", key, &["false"], Some(one("true"))));
    }

    #[test]
    fn bool_is_case_insensitive_and_strict_a7() {
        assert!(ev1("Bool", "k", &["TRUE"], Some(one("true"))));
        assert!(ev1("Bool", "k", &["true"], Some(one("True"))));
        assert!(!ev1("Bool", "k", &["true"], Some(one("yes"))));
        assert!(!ev1("Bool", "k", &["false"], Some(one("yes"))));
        assert!(!ev1("Bool", "k", &["false"], Some(one(""))));
        assert_eq!(raw_cmp("Bool", "yes", "true"), Cmp::Error);
        assert_eq!(raw_cmp("Bool", "1", "true"), Cmp::Error);
        assert!(!ev1("Bool", "k", &["true"], Some(list(&["true"]))), "A-13");
    }

    #[test]
    fn bool_set_operators() {
        assert!(ev1(
            "ForAllValues:Bool",
            "k",
            &["true"],
            Some(list(&["true", "TRUE"]))
        ));
        assert!(!ev1(
            "ForAllValues:Bool",
            "k",
            &["true"],
            Some(list(&["true", "false"]))
        ));
        assert!(!ev1(
            "ForAllValues:Bool",
            "k",
            &["true"],
            Some(list(&["true", "x"]))
        ));
        assert!(ev1(
            "ForAnyValue:Bool",
            "k",
            &["false"],
            Some(list(&["true", "false"]))
        ));
        assert!(!ev1("ForAnyValue:Bool", "k", &["false"], None));
    }

    #[test]
    fn bool_variables_a18() {
        let v = ["${aws:PrincipalTag/mfa-required}"];
        let c = ctx(vec![
            ("k", one("true")),
            ("aws:PrincipalTag/mfa-required", one("True")),
        ]);
        assert!(ev("Bool", "k", &v, &c));
        let off = ctx(vec![
            ("k", one("true")),
            ("aws:PrincipalTag/mfa-required", one("false")),
        ]);
        assert!(!ev("Bool", "k", &v, &off));
        let none = ctx(vec![("k", one("true"))]);
        assert!(!ev("Bool", "k", &v, &none), "no value: null-false");
        let default = ["${aws:PrincipalTag/mfa-required, 'true'}"];
        assert!(ev("Bool", "k", &default, &none));
        let bad = ctx(vec![
            ("k", one("true")),
            ("aws:PrincipalTag/mfa-required", one("maybe")),
        ]);
        assert!(!ev("Bool", "k", &v, &bad));
    }

    // ---- Binary ----

    #[test]
    fn binary_compares_decoded_bytes() {
        let v = ["aGk="];
        assert!(ev1("BinaryEquals", "k", &v, Some(one("aGk="))));
        assert!(
            ev1("BinaryEquals", "k", &v, Some(one("aGk"))),
            "padding optional"
        );
        assert!(!ev1("BinaryEquals", "k", &v, Some(one("aGo="))));
        assert!(!ev1("BinaryEquals", "k", &v, Some(one("hi"))));
        assert_eq!(raw_cmp("BinaryEquals", "!!", "aGk="), Cmp::Error);
        assert!(!ev1("BinaryEquals", "k", &v, None));
        assert!(ev1("BinaryEqualsIfExists", "k", &v, None));
        assert!(!ev1("BinaryEquals", "k", &v, Some(list(&["aGk="]))), "A-13");
        assert!(ev1(
            "ForAnyValue:BinaryEquals",
            "k",
            &v,
            Some(list(&["AA==", "aGk="]))
        ));
        assert!(ev1(
            "BinaryEquals",
            "k",
            &["AA==", "aGk="],
            Some(one("aGk="))
        ));
    }

    // ---- IP ----

    #[test]
    fn ip_address_c27() {
        let v = ["203.0.113.5", "2001:DB8:1234:5678::/64"];
        let key = "aws:SourceIp";
        assert!(ev1("IpAddress", key, &v, Some(one("203.0.113.5"))));
        assert!(!ev1("IpAddress", key, &v, Some(one("203.0.113.6"))));
        assert!(ev1(
            "IpAddress",
            key,
            &v,
            Some(one("2001:db8:1234:5678::9"))
        ));
        assert!(!ev1(
            "IpAddress",
            key,
            &v,
            Some(one("2001:db8:1234:5679::9"))
        ));
        assert!(ev1(
            "IpAddress",
            key,
            &["10.0.0.0/8"],
            Some(one("10.255.1.2"))
        ));
        assert!(
            ev1("IpAddress", key, &["10.1.2.3/8"], Some(one("10.9.9.9"))),
            "host bits masked"
        );
    }

    #[test]
    fn not_ip_address_c28() {
        let v = ["203.0.113.0/24"];
        let key = "aws:SourceIp";
        assert!(
            ev1("NotIpAddress", key, &v, None),
            "VPC endpoint: key absent"
        );
        assert!(ev1("NotIpAddress", key, &v, Some(one("198.51.100.1"))));
        assert!(!ev1("NotIpAddress", key, &v, Some(one("203.0.113.77"))));
        assert!(
            !ev1("NotIpAddressIfExists", key, &v, Some(list(&["1.1.1.1"]))),
            "A-13"
        );
    }

    #[test]
    fn ip_families_never_mix() {
        let v4 = ["0.0.0.0/0"];
        let v6 = ["::/0"];
        assert!(!ev1("IpAddress", "k", &v4, Some(one("::1"))));
        assert!(!ev1("IpAddress", "k", &v6, Some(one("10.0.0.1"))));
        assert!(ev1("NotIpAddress", "k", &v6, Some(one("10.0.0.1"))));
        assert!(ev1("NotIpAddress", "k", &v4, Some(one("::ffff:10.0.0.1"))));
        assert!(ev1("IpAddress", "k", &v6, Some(one("::ffff:10.0.0.1"))));
    }

    #[test]
    fn ip_unparsable_request_is_error() {
        assert_eq!(raw_cmp("IpAddress", "not-an-ip", "10.0.0.0/8"), Cmp::Error);
        assert!(!ev1(
            "IpAddress",
            "k",
            &["10.0.0.0/8"],
            Some(one("not-an-ip"))
        ));
        assert!(!ev1(
            "NotIpAddress",
            "k",
            &["10.0.0.0/8"],
            Some(one("not-an-ip"))
        ));
        assert!(!ev1("NotIpAddress", "k", &["10.0.0.0/8"], Some(one(""))));
    }

    // ---- ARN ----

    #[test]
    fn arn_versus_string_c29() {
        let p = ["arn:aws:someservice:*:111122223333:finance/*"];
        let value = Some(one(
            "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
        ));
        assert!(ev1("StringLike", "aws:SourceArn", &p, value.clone()));
        assert!(!ev1("ArnLike", "aws:SourceArn", &p, value.clone()));
        assert!(!ev1("ArnEquals", "aws:SourceArn", &p, value.clone()));
        assert!(ev1("ArnNotLike", "aws:SourceArn", &p, value));
    }

    #[test]
    fn arn_equals_honours_wildcards_c30() {
        let p = ["arn:aws:sns:*:111122223333:topic-*"];
        let hit = Some(one("arn:aws:sns:us-east-1:111122223333:topic-a"));
        let miss = Some(one("arn:aws:sns:us-east-1:111122223333:queue-a"));
        for op in ["ArnEquals", "ArnLike"] {
            assert!(ev1(op, "aws:SourceArn", &p, hit.clone()), "{op}");
            assert!(!ev1(op, "aws:SourceArn", &p, miss.clone()), "{op}");
        }
        for op in ["ArnNotEquals", "ArnNotLike"] {
            assert!(!ev1(op, "aws:SourceArn", &p, hit.clone()), "{op}");
            assert!(ev1(op, "aws:SourceArn", &p, miss.clone()), "{op}");
        }
    }

    #[test]
    fn arn_request_not_an_arn_is_error() {
        let p = ["arn:aws:s3:::*"];
        assert_eq!(
            raw_cmp("ArnNotLike", "bucket", "arn:aws:s3:::*"),
            Cmp::Error
        );
        assert!(!ev1("ArnLike", "k", &p, Some(one("bucket"))));
        assert!(
            !ev1("ArnNotLike", "k", &p, Some(one("bucket"))),
            "error, not a mismatch"
        );
        assert!(!ev1("ArnNotEquals", "k", &p, Some(one("arn:aws:s3::b"))));
        assert!(
            ev1("StringNotLike", "k", &p, Some(one("bucket"))),
            "strings have no error"
        );
    }

    #[test]
    fn arn_missing_multivalued_and_if_exists() {
        let p = ["arn:aws:iam::111122223333:role/*"];
        assert!(!ev1("ArnLike", "aws:PrincipalArn", &p, None));
        assert!(ev1("ArnNotLike", "aws:PrincipalArn", &p, None));
        assert!(ev1("ArnLikeIfExists", "aws:PrincipalArn", &p, None));
        let roles = list(&["arn:aws:iam::111122223333:role/R"]);
        assert!(!ev1("ArnLike", "k", &p, Some(roles.clone())), "A-13");
        assert!(ev1("ForAnyValue:ArnLike", "k", &p, Some(roles.clone())));
        assert!(ev1("ForAllValues:ArnLike", "k", &p, Some(roles)));
        assert!(!ev1(
            "ForAllValues:ArnLike",
            "k",
            &p,
            Some(list(&["arn:aws:iam::111122223333:role/R", "nope"]))
        ));
    }

    #[test]
    fn arn_like_is_case_sensitive_and_per_component() {
        let p = ["arn:aws:s3:*"];
        assert!(
            !ev1("ArnLike", "k", &p, Some(one("arn:aws:s3:::b"))),
            "C-11: no crossing"
        );
        let q = ["arn:aws:iam::*:role/Admin"];
        assert!(ev1(
            "ArnLike",
            "k",
            &q,
            Some(one("arn:aws:iam::1:role/Admin"))
        ));
        assert!(!ev1(
            "ArnLike",
            "k",
            &q,
            Some(one("arn:aws:iam::1:role/admin"))
        ));
        assert!(!ev1(
            "ArnLike",
            "k",
            &q,
            Some(one("arn:aws:iam::1:2:role/Admin"))
        ));
    }

    #[test]
    fn arn_variables() {
        let p = ["arn:aws:iam::${aws:PrincipalAccount}:role/*"];
        let c = ctx(vec![
            ("aws:PrincipalAccount", one("111122223333")),
            ("aws:SourceArn", one("arn:aws:iam::111122223333:role/R")),
        ]);
        assert!(ev("ArnLike", "aws:SourceArn", &p, &c));
        let other = ctx(vec![
            ("aws:PrincipalAccount", one("444455556666")),
            ("aws:SourceArn", one("arn:aws:iam::111122223333:role/R")),
        ]);
        assert!(!ev("ArnLike", "aws:SourceArn", &p, &other));
        assert!(ev("ArnNotLike", "aws:SourceArn", &p, &other));
        let none = ctx(vec![(
            "aws:SourceArn",
            one("arn:aws:iam::111122223333:role/R"),
        )]);
        assert!(!ev("ArnLike", "aws:SourceArn", &p, &none));
        assert!(
            ev("ArnNotLike", "aws:SourceArn", &p, &none),
            "A-20 null-false"
        );
        // A value-less variable does not rescue a request value that is not an ARN.
        let not_arn = ctx(vec![("aws:SourceArn", one("nope"))]);
        assert!(!ev("ArnNotLike", "aws:SourceArn", &p, &not_arn));
    }

    // ---- Null ----

    #[test]
    fn null_c23() {
        let key = "aws:TokenIssueTime";
        assert!(!ev1("Null", key, &["false"], None));
        assert!(ev1(
            "Null",
            key,
            &["false"],
            Some(one("2026-01-01T00:00:00Z"))
        ));
        assert!(ev1("Null", key, &["true"], None));
        assert!(!ev1(
            "Null",
            key,
            &["true"],
            Some(one("2026-01-01T00:00:00Z"))
        ));
        assert!(ev1("Null", key, &["TRUE"], None), "A-7");
    }

    #[test]
    fn null_empty_is_null_a15() {
        assert!(ev1("Null", "k", &["true"], Some(one(""))));
        assert!(!ev1("Null", "k", &["false"], Some(one(""))));
        assert!(ev1("Null", "k", &["true"], Some(list(&[]))));
        assert!(!ev1("Null", "k", &["false"], Some(list(&[]))));
        assert!(ev1("Null", "k", &["false"], Some(list(&["a"]))));
        assert!(!ev1("Null", "k", &["true"], Some(list(&["a"]))));
    }

    #[test]
    fn null_values_or_and_key_case() {
        assert!(ev1("Null", "k", &["true", "false"], None));
        assert!(ev1("Null", "k", &["true", "false"], Some(one("x"))));
        let c = ctx(vec![("aws:PrincipalTag/Team", one("red"))]);
        assert!(ev("Null", "AWS:principaltag/TEAM", &["false"], &c));
        assert!(!ev("Null", "AWS:principaltag/TEAM", &["true"], &c));
    }
}
