//! Condition operators (spec §4.2).

use std::fmt;

/// The base operators, without set prefix or `IfExists` suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)] // the variants are the AWS operator names
pub enum BaseOp {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

/// How an operator parses its values (spec §4.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// `String*`: strings, with policy variables.
    String,
    /// `Numeric*`: decimal numbers.
    Numeric,
    /// `Date*`: W3C ISO 8601 instants or epoch seconds.
    Date,
    /// `Bool`: `true`/`false`.
    Bool,
    /// `BinaryEquals`: base64.
    Binary,
    /// `IpAddress`/`NotIpAddress`: CIDR blocks.
    Ip,
    /// `Arn*`: ARNs compared per component.
    Arn,
    /// `Null`: `true`/`false` about the key's existence.
    Null,
}

const ALL: [(BaseOp, &str); 27] = [
    (BaseOp::StringEquals, "StringEquals"),
    (BaseOp::StringNotEquals, "StringNotEquals"),
    (BaseOp::StringEqualsIgnoreCase, "StringEqualsIgnoreCase"),
    (
        BaseOp::StringNotEqualsIgnoreCase,
        "StringNotEqualsIgnoreCase",
    ),
    (BaseOp::StringLike, "StringLike"),
    (BaseOp::StringNotLike, "StringNotLike"),
    (BaseOp::NumericEquals, "NumericEquals"),
    (BaseOp::NumericNotEquals, "NumericNotEquals"),
    (BaseOp::NumericLessThan, "NumericLessThan"),
    (BaseOp::NumericLessThanEquals, "NumericLessThanEquals"),
    (BaseOp::NumericGreaterThan, "NumericGreaterThan"),
    (BaseOp::NumericGreaterThanEquals, "NumericGreaterThanEquals"),
    (BaseOp::DateEquals, "DateEquals"),
    (BaseOp::DateNotEquals, "DateNotEquals"),
    (BaseOp::DateLessThan, "DateLessThan"),
    (BaseOp::DateLessThanEquals, "DateLessThanEquals"),
    (BaseOp::DateGreaterThan, "DateGreaterThan"),
    (BaseOp::DateGreaterThanEquals, "DateGreaterThanEquals"),
    (BaseOp::Bool, "Bool"),
    (BaseOp::BinaryEquals, "BinaryEquals"),
    (BaseOp::IpAddress, "IpAddress"),
    (BaseOp::NotIpAddress, "NotIpAddress"),
    (BaseOp::ArnEquals, "ArnEquals"),
    (BaseOp::ArnLike, "ArnLike"),
    (BaseOp::ArnNotEquals, "ArnNotEquals"),
    (BaseOp::ArnNotLike, "ArnNotLike"),
    (BaseOp::Null, "Null"),
];

impl BaseOp {
    /// Every base operator.
    pub fn all() -> impl Iterator<Item = BaseOp> {
        ALL.iter().map(|(op, _)| *op)
    }

    /// The canonical AWS spelling.
    pub fn name(self) -> &'static str {
        ALL.iter()
            .find(|(op, _)| *op == self)
            .map_or("?", |(_, n)| n)
    }

    /// Looks a name up case-insensitively (spec A-6).
    pub fn from_name(name: &str) -> Option<BaseOp> {
        ALL.iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(op, _)| *op)
    }

    /// The family that decides how values are parsed.
    pub fn family(self) -> Family {
        use BaseOp::*;
        match self {
            StringEquals
            | StringNotEquals
            | StringEqualsIgnoreCase
            | StringNotEqualsIgnoreCase
            | StringLike
            | StringNotLike => Family::String,
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => Family::Numeric,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => Family::Date,
            Bool => Family::Bool,
            BinaryEquals => Family::Binary,
            IpAddress | NotIpAddress => Family::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => Family::Arn,
            Null => Family::Null,
        }
    }

    /// True for the eight negated operators (spec §4.2, right-hand column).
    pub fn is_negated(self) -> bool {
        use BaseOp::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// The positive partner whose comparison a negated operator negates (spec §4.4).
    pub fn positive(self) -> BaseOp {
        use BaseOp::*;
        match self {
            StringNotEquals => StringEquals,
            StringNotEqualsIgnoreCase => StringEqualsIgnoreCase,
            StringNotLike => StringLike,
            NumericNotEquals => NumericEquals,
            DateNotEquals => DateEquals,
            NotIpAddress => IpAddress,
            ArnNotEquals | ArnNotLike => ArnLike,
            ArnEquals => ArnLike,
            other => other,
        }
    }

    /// True when the operator's values may hold policy variables (spec §5.2, A-18).
    pub fn allows_variables(self) -> bool {
        matches!(self.family(), Family::String | Family::Arn | Family::Bool)
    }
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetOp {
    /// Every request value must pass.
    ForAllValues,
    /// At least one request value must pass.
    ForAnyValue,
}

/// A full operator: `[set:]base[IfExists]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operator {
    /// The set prefix, if any.
    pub set: Option<SetOp>,
    /// The base operator.
    pub base: BaseOp,
    /// The `IfExists` suffix.
    pub if_exists: bool,
}

/// Why an operator name was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperatorError {
    /// The name is not an operator.
    Unknown,
    /// `Null` with `IfExists` or a set prefix (spec §2.5 item 11).
    NullModifier,
}

impl Operator {
    /// Parses an operator name, case-insensitively (spec §4.2, A-6).
    pub fn parse(name: &str) -> Result<Operator, OperatorError> {
        let lower = name.to_ascii_lowercase();
        let (set, rest) = if let Some(r) = lower.strip_prefix("forallvalues:") {
            (Some(SetOp::ForAllValues), r)
        } else if let Some(r) = lower.strip_prefix("foranyvalue:") {
            (Some(SetOp::ForAnyValue), r)
        } else {
            (None, lower.as_str())
        };
        let (if_exists, base_name) = match rest.strip_suffix("ifexists") {
            Some(b) if BaseOp::from_name(b).is_some() => (true, b),
            _ => (false, rest),
        };
        let base = BaseOp::from_name(base_name).ok_or(OperatorError::Unknown)?;
        if base == BaseOp::Null && (if_exists || set.is_some()) {
            return Err(OperatorError::NullModifier);
        }
        Ok(Operator {
            set,
            base,
            if_exists,
        })
    }

    /// The closest operator name to a misspelt one, for help text.
    pub fn suggest(name: &str) -> Option<&'static str> {
        let lower = name.to_ascii_lowercase();
        let stripped = lower
            .trim_start_matches("forallvalues:")
            .trim_start_matches("foranyvalue:")
            .trim_end_matches("ifexists");
        ALL.iter()
            .map(|(_, n)| (edit_distance(&n.to_ascii_lowercase(), stripped), *n))
            .filter(|(d, _)| *d <= 3)
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.set {
            Some(SetOp::ForAllValues) => f.write_str("ForAllValues:")?,
            Some(SetOp::ForAnyValue) => f.write_str("ForAnyValue:")?,
            None => {}
        }
        f.write_str(self.base.name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

/// Levenshtein distance, for "did you mean" help.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            let del = prev[j + 1] + 1;
            let ins = cur[j] + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prefixes_and_suffixes_case_insensitively() {
        let op = Operator::parse("forallvalues:stringlikeifexists").unwrap_or_else(|_| panic!());
        assert_eq!(op.set, Some(SetOp::ForAllValues));
        assert_eq!(op.base, BaseOp::StringLike);
        assert!(op.if_exists);
        assert_eq!(op.to_string(), "ForAllValues:StringLikeIfExists");
        assert_eq!(
            Operator::parse("NullIfExists"),
            Err(OperatorError::NullModifier)
        );
        assert_eq!(
            Operator::parse("ForAnyValue:Null"),
            Err(OperatorError::NullModifier)
        );
        assert_eq!(Operator::parse("StringEqual"), Err(OperatorError::Unknown));
        assert_eq!(Operator::suggest("StringEqual"), Some("StringEquals"));
        assert!(BaseOp::ArnNotLike.is_negated());
        assert_eq!(BaseOp::ArnNotEquals.positive(), BaseOp::ArnLike);
        assert!(!BaseOp::NumericLessThan.is_negated());
    }
}
