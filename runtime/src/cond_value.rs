//! Condition values parsed for their operator's family (spec §4.6): what a policy's condition
//! compares a request value with, in both the policy model and the compiled tables.

use crate::pattern::Template;
use crate::value::{Decimal, Instant};
use ipnet::IpNet;

/// A condition value parsed for its operator's family.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CondValue {
    /// String and ARN operators (and `Bool` values that hold a variable): a template.
    Template(Template),
    /// Numeric operators.
    Number(Decimal),
    /// Date operators.
    Date(Instant),
    /// `Bool`.
    Bool(bool),
    /// `BinaryEquals`: the decoded bytes.
    Binary(Vec<u8>),
    /// IP operators.
    Ip(IpNet),
    /// `Null`: `true` = the key must be absent.
    Null(bool),
}
