//! Typed condition values. The parsers both sides of a comparison share (decimals, instants,
//! booleans, base64, IP addresses) live in [`gavel_runtime::value`], so the compiled runtime
//! reads request values exactly as the reference interpreter does.

pub use gavel_runtime::cond_value::CondValue;
pub use gavel_runtime::value::{Decimal, Instant, parse_base64, parse_bool, parse_cidr, parse_ip};

/// One value of a condition clause: the text as written and its parsed form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionValue {
    /// The value's text (JSON numbers and booleans keep their lexeme).
    pub raw: String,
    /// The parsed value.
    pub parsed: CondValue,
}
