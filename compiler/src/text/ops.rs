//! The readable operator names of the text language and their AWS names.

use crate::model::BaseOp;

/// `(alias, base operator)`: every base operator has exactly one alias.
pub(crate) const ALIASES: [(&str, BaseOp); 27] = [
    ("eq", BaseOp::StringEquals),
    ("ne", BaseOp::StringNotEquals),
    ("eq_ignore_case", BaseOp::StringEqualsIgnoreCase),
    ("ne_ignore_case", BaseOp::StringNotEqualsIgnoreCase),
    ("like", BaseOp::StringLike),
    ("not_like", BaseOp::StringNotLike),
    ("num_eq", BaseOp::NumericEquals),
    ("num_ne", BaseOp::NumericNotEquals),
    ("num_lt", BaseOp::NumericLessThan),
    ("num_le", BaseOp::NumericLessThanEquals),
    ("num_gt", BaseOp::NumericGreaterThan),
    ("num_ge", BaseOp::NumericGreaterThanEquals),
    ("date_eq", BaseOp::DateEquals),
    ("date_ne", BaseOp::DateNotEquals),
    ("before", BaseOp::DateLessThan),
    ("at_or_before", BaseOp::DateLessThanEquals),
    ("after", BaseOp::DateGreaterThan),
    ("at_or_after", BaseOp::DateGreaterThanEquals),
    ("bool", BaseOp::Bool),
    ("binary_eq", BaseOp::BinaryEquals),
    ("ip_in", BaseOp::IpAddress),
    ("ip_not_in", BaseOp::NotIpAddress),
    ("arn_eq", BaseOp::ArnEquals),
    ("arn_like", BaseOp::ArnLike),
    ("arn_ne", BaseOp::ArnNotEquals),
    ("arn_not_like", BaseOp::ArnNotLike),
    ("null", BaseOp::Null),
];

/// The alias of a base operator.
pub(crate) fn alias(op: BaseOp) -> &'static str {
    ALIASES
        .iter()
        .find(|(_, b)| *b == op)
        .map_or("eq", |(a, _)| a)
}

/// The base operator of an alias.
pub(crate) fn from_alias(word: &str) -> Option<BaseOp> {
    ALIASES.iter().find(|(a, _)| *a == word).map(|(_, b)| *b)
}
