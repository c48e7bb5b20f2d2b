//! Typed condition values. The parsers both sides of a comparison share (decimals, instants,
//! booleans, base64, IP addresses) live in [`gavel_runtime::value`], so the compiled runtime
//! reads request values exactly as the reference interpreter does.

use crate::model::pattern::Template;
pub use gavel_runtime::value::{Decimal, Instant, parse_base64, parse_bool, parse_cidr, parse_ip};
use ipnet::IpNet;

/// A condition value parsed for its operator's family.
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// One value of a condition clause: the text as written and its parsed form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionValue {
    /// The value's text (JSON numbers and booleans keep their lexeme).
    pub raw: String,
    /// The parsed value.
    pub parsed: CondValue,
}
