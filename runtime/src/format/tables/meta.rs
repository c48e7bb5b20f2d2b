//! Section `meta` (kind 9): who wrote the file and how many entries each section holds.
//! Self-contained (it names no pooled string), so tools can show it without decoding the rest.
//!
//! ```text
//!  ┌──────────┬──────────────────────────────┬──────────────────────────────────────────┐
//!  │ len u32  │ writer: UTF-8, zero pad to 4 │ counts: u32 × 8                          │
//!  └──────────┴──────────────────────────────┴──────────────────────────────────────────┘
//!  writer: e.g. `gavel-runtime 0.1.0` (the version of the code that wrote the file)
//!  counts: strings, action patterns, policies, statements, clause lists, resource lists,
//!          principal records, accounts — each must equal what its section holds
//! ```

use super::codec::Reader;
#[cfg(feature = "write")]
use super::codec::Writer;
use crate::format::error::LoadError;

/// The `meta` section's contents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// The program that wrote the file, with its version.
    pub writer: String,
    /// How many entries the sections hold.
    pub counts: Counts,
}

/// Entry counts of a decision file's sections (as stored in its `meta` section).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Strings in the pool.
    pub strings: u32,
    /// Interned action patterns.
    pub action_patterns: u32,
    /// Policies.
    pub policies: u32,
    /// Statements, all policies together.
    pub statements: u32,
    /// Distinct condition-clause lists (section `conditions`).
    pub clause_lists: u32,
    /// Distinct `Resource` / `NotResource` lists (section `resources`).
    pub resource_lists: u32,
    /// IAM users and roles.
    pub principals: u32,
    /// Accounts.
    pub accounts: u32,
}

impl Counts {
    /// `(name, value)` of every count, in stored order.
    pub fn named(&self) -> [(&'static str, u32); 8] {
        [
            ("strings", self.strings),
            ("action patterns", self.action_patterns),
            ("policies", self.policies),
            ("statements", self.statements),
            ("clause lists", self.clause_lists),
            ("resource lists", self.resource_lists),
            ("principal records", self.principals),
            ("accounts", self.accounts),
        ]
    }

    /// The first count that differs from `found`'s, as an error.
    pub(super) fn check(&self, found: &Counts) -> Result<(), LoadError> {
        for ((what, expected), (_, got)) in self.named().into_iter().zip(found.named()) {
            if expected != got {
                return Err(LoadError::count_mismatch(
                    what,
                    u64::from(expected),
                    u64::from(got),
                ));
            }
        }
        Ok(())
    }
}

/// Reads the section.
pub(super) fn read(r: &mut Reader<'_, '_>) -> Result<Meta, LoadError> {
    let n = r.count(1, "writer name length")?;
    let bytes = r.padded_bytes(n, "writer name")?;
    let writer = std::str::from_utf8(bytes)
        .map_err(|_| {
            r.err(LoadError::invalid_text(
                "writer name (not UTF-8)",
                &String::from_utf8_lossy(bytes),
            ))
        })?
        .to_string();
    let mut c = [0u32; 8];
    for slot in &mut c {
        *slot = r.u32("meta count")?;
    }
    let [
        strings,
        action_patterns,
        policies,
        statements,
        clause_lists,
        resource_lists,
        principals,
        accounts,
    ] = c;
    Ok(Meta {
        writer,
        counts: Counts {
            strings,
            action_patterns,
            policies,
            statements,
            clause_lists,
            resource_lists,
            principals,
            accounts,
        },
    })
}

/// Writes the section.
#[cfg(feature = "write")]
pub(super) fn write(w: &mut Writer<'_>, meta: &Meta) {
    w.len(meta.writer.len());
    w.padded_bytes(meta.writer.as_bytes());
    for (_, n) in meta.counts.named() {
        w.u32(n);
    }
}
