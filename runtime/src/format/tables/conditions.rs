//! Section `conditions` (kind 5): the distinct condition-clause lists of the statements (each
//! statement with a `Condition` names its list by position; section `statements`).
//!
//! ```text
//!  ┌───────────┬──────────────────────────────────────────────────────────────┐
//!  │ count u32 │ list × count                                                │
//!  └───────────┴──────────────────────────────────────────────────────────────┘
//!  list:     u32 n (at least 1), clause × n (ANDed)
//!  clause:   u32 operator, str key (lower-cased), u32 n, value × n
//!  operator: byte 0 base operator code (table below), byte 1 set prefix (0 none,
//!            1 ForAllValues, 2 ForAnyValue), byte 2 IfExists (0/1), byte 3 zero
//!  value:    u32 tag, then
//!            0 unparsable value (compares as an error)   (nothing)
//!            1 template                                  template
//!            2 number                                    str canonical decimal text
//!            3 date                                      u32 secs low, u32 secs high (i64),
//!                                                        str fraction digits
//!            4 bool                                      u32 0/1
//!            5 binary                                    u32 len, bytes, zero pad to 4
//!            6 IP block                                  u32 family (4/6), u32 prefix length,
//!                                                        4 or 16 address bytes
//!            7 null                                      u32 0/1
//! ```
//!
//! Lists are stored once however many statements carry them (a large organization has a few
//! thousand distinct lists over a hundred thousand statements), so decoding reads each once.

#[cfg(feature = "write")]
use super::codec::Writer;
use super::codec::{Reader, WORD};
use super::values::read_template;
#[cfg(feature = "write")]
use super::values::write_template;
use crate::cond_value::CondValue;
use crate::format::error::LoadError;
use crate::operator::{BaseOp, Operator, SetOp};
use crate::tables::Clause;
use crate::value::{Decimal, Instant};
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

/// Base operator codes: the code is the position here. Stored in files, so never reorder;
/// append only (and only with a format version bump once version 1 is frozen).
const BASE_OPS: [BaseOp; 27] = [
    BaseOp::StringEquals,
    BaseOp::StringNotEquals,
    BaseOp::StringEqualsIgnoreCase,
    BaseOp::StringNotEqualsIgnoreCase,
    BaseOp::StringLike,
    BaseOp::StringNotLike,
    BaseOp::NumericEquals,
    BaseOp::NumericNotEquals,
    BaseOp::NumericLessThan,
    BaseOp::NumericLessThanEquals,
    BaseOp::NumericGreaterThan,
    BaseOp::NumericGreaterThanEquals,
    BaseOp::DateEquals,
    BaseOp::DateNotEquals,
    BaseOp::DateLessThan,
    BaseOp::DateLessThanEquals,
    BaseOp::DateGreaterThan,
    BaseOp::DateGreaterThanEquals,
    BaseOp::Bool,
    BaseOp::BinaryEquals,
    BaseOp::IpAddress,
    BaseOp::NotIpAddress,
    BaseOp::ArnEquals,
    BaseOp::ArnLike,
    BaseOp::ArnNotEquals,
    BaseOp::ArnNotLike,
    BaseOp::Null,
];

/// Reads the section: the clause lists, in order.
pub(super) fn read(r: &mut Reader<'_, '_>) -> Result<Vec<Arc<[Clause]>>, LoadError> {
    let n = r.count(4 * WORD, "clause list count")?;
    let mut lists = Vec::with_capacity(n);
    for _ in 0..n {
        let len = r.count(3 * WORD, "clause count")?;
        if len == 0 {
            // A statement without conditions names no list: an empty one would be a second
            // encoding of the same statement.
            return Err(r.err(LoadError::invalid_value("clause count", "at least 1", 0)));
        }
        let mut list = Vec::with_capacity(len);
        for _ in 0..len {
            list.push(read_clause(r)?);
        }
        lists.push(list.into());
    }
    Ok(lists)
}

fn read_clause(r: &mut Reader<'_, '_>) -> Result<Clause, LoadError> {
    let operator = read_operator(r)?;
    let key = r.string("condition key")?;
    let n = r.count(WORD, "condition value count")?;
    let mut values = Vec::with_capacity(n);
    for _ in 0..n {
        values.push(read_value(r)?);
    }
    Ok(Clause::new(operator, key, values))
}

const VALUE_TAG: &str = "condition value tag";
const VALUE_TAGS: &str = "0 (unparsable), 1 (template), 2 (number), 3 (date), 4 (bool), \
    5 (binary), 6 (IP) or 7 (null)";

/// Writes the section: the distinct clause lists, in the order statements first name them.
#[cfg(feature = "write")]
pub(super) fn write(w: &mut Writer<'_>, lists: &[&[Clause]]) {
    w.len(lists.len());
    for list in lists {
        w.len(list.len());
        for c in list.iter() {
            write_operator(w, c.operator);
            w.str(&c.key);
            w.len(c.values.len());
            for v in &c.values {
                write_value(w, v.as_ref());
            }
        }
    }
}

fn read_operator(r: &mut Reader<'_, '_>) -> Result<Operator, LoadError> {
    const WHAT: &str = "condition operator";
    let [base, set, if_exists, zero] = r.u32(WHAT)?.to_le_bytes();
    let bad = |expected, found: u8| LoadError::invalid_value(WHAT, expected, u64::from(found));
    let base = BASE_OPS
        .get(usize::from(base))
        .copied()
        .ok_or_else(|| r.err(bad("a base operator code (byte 0) below 27", base)))?;
    let set = match set {
        0 => None,
        1 => Some(SetOp::ForAllValues),
        2 => Some(SetOp::ForAnyValue),
        other => return Err(r.err(bad("a set prefix (byte 1) of 0, 1 or 2", other))),
    };
    let if_exists = match if_exists {
        0 => false,
        1 => true,
        other => return Err(r.err(bad("an IfExists byte (byte 2) of 0 or 1", other))),
    };
    if zero != 0 {
        return Err(r.err(bad("0 in byte 3", zero)));
    }
    Ok(Operator {
        set,
        base,
        if_exists,
    })
}

#[cfg(feature = "write")]
fn write_operator(w: &mut Writer<'_>, op: Operator) {
    let base = BASE_OPS
        .iter()
        .position(|b| *b == op.base)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX);
    let set = match op.set {
        None => 0,
        Some(SetOp::ForAllValues) => 1,
        Some(SetOp::ForAnyValue) => 2,
    };
    w.u32(u32::from_le_bytes([base, set, u8::from(op.if_exists), 0]));
}

fn read_value(r: &mut Reader<'_, '_>) -> Result<Option<CondValue>, LoadError> {
    let tag = r.tag(8, VALUE_TAG, VALUE_TAGS)?;
    Ok(Some(match tag {
        0 => return Ok(None),
        1 => CondValue::Template(read_template(r)?),
        2 => {
            let text = r.str("number constant")?;
            CondValue::Number(
                Decimal::parse(text)
                    .ok_or_else(|| r.err(LoadError::invalid_text("number constant", text)))?,
            )
        }
        3 => {
            let low = r.u32("date seconds (low word)")?;
            let high = r.u32("date seconds (high word)")?;
            let secs = i64::from_le_bytes((u64::from(low) | (u64::from(high) << 32)).to_le_bytes());
            let frac = r.str("date fraction digits")?;
            if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.ends_with('0') {
                return Err(r.err(LoadError::invalid_text("date fraction digits", frac)));
            }
            CondValue::Date(Instant {
                secs,
                frac: frac.to_string(),
            })
        }
        4 => CondValue::Bool(r.bool("bool constant")?),
        5 => {
            let n = r.count(1, "binary constant length")?;
            CondValue::Binary(r.padded_bytes(n, "binary constant")?.to_vec())
        }
        6 => {
            let family = r.u32("IP family")?;
            let prefix = r.u32("IP prefix length")?;
            let addr = match family {
                4 => {
                    let b: [u8; 4] = r
                        .bytes(4, "IPv4 address")?
                        .try_into()
                        .map_err(|_| r.err(LoadError::overflow("IPv4 address")))?;
                    IpAddr::V4(Ipv4Addr::from(b))
                }
                6 => {
                    let b: [u8; 16] = r
                        .bytes(16, "IPv6 address")?
                        .try_into()
                        .map_err(|_| r.err(LoadError::overflow("IPv6 address")))?;
                    IpAddr::V6(Ipv6Addr::from(b))
                }
                other => {
                    return Err(r.err(LoadError::invalid_value(
                        "IP family",
                        "4 or 6",
                        u64::from(other),
                    )));
                }
            };
            let net = u8::try_from(prefix)
                .ok()
                .and_then(|p| IpNet::new(addr, p).ok())
                .ok_or_else(|| {
                    r.err(LoadError::invalid_value(
                        "IP prefix length",
                        "at most 32 (IPv4) or 128 (IPv6)",
                        u64::from(prefix),
                    ))
                })?;
            CondValue::Ip(net)
        }
        _ => CondValue::Null(r.bool("null constant")?),
    }))
}

#[cfg(feature = "write")]
fn write_value(w: &mut Writer<'_>, v: Option<&CondValue>) {
    let Some(v) = v else {
        w.u32(0);
        return;
    };
    match v {
        CondValue::Template(t) => {
            w.u32(1);
            write_template(w, t);
        }
        CondValue::Number(d) => {
            w.u32(2);
            w.str(&d.to_string());
        }
        CondValue::Date(i) => {
            w.u32(3);
            let bits = u64::from_le_bytes(i.secs.to_le_bytes());
            w.u32((bits & 0xFFFF_FFFF) as u32);
            w.u32((bits >> 32) as u32);
            w.str(&i.frac);
        }
        CondValue::Bool(b) => {
            w.u32(4);
            w.bool(*b);
        }
        CondValue::Binary(b) => {
            w.u32(5);
            w.len(b.len());
            w.padded_bytes(b);
        }
        CondValue::Ip(net) => {
            w.u32(6);
            match net.addr() {
                IpAddr::V4(a) => {
                    w.u32(4);
                    w.u32(u32::from(net.prefix_len()));
                    w.padded_bytes(&a.octets());
                }
                IpAddr::V6(a) => {
                    w.u32(6);
                    w.u32(u32::from(net.prefix_len()));
                    w.padded_bytes(&a.octets());
                }
            }
        }
        CondValue::Null(b) => {
            w.u32(7);
            w.bool(*b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_base_operator_has_one_code() {
        for op in BaseOp::all() {
            assert_eq!(BASE_OPS.iter().filter(|b| **b == op).count(), 1, "{op:?}");
        }
        assert_eq!(BaseOp::all().count(), BASE_OPS.len());
    }
}
