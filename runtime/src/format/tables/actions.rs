//! Section `actions` (kind 3): the action index ([`ActionIndex`]).
//!
//! ```text
//!  ┌─────────────────┬─────────────────┬──────────────────────┬───────────────┬───────────────┐
//!  │ u32 n, str × n  │ u32 n,          │ u32 n,               │ u32 n,        │ u32 n,        │
//!  │                 │ pattern × n     │ (str, u32) × n       │ ids × n       │ ids × n       │
//!  │ services        │ action patterns │ known actions, class │ classes       │ statement     │
//!  │ (sorted)        │                 │                      │               │ pattern lists │
//!  └─────────────────┴─────────────────┴──────────────────────┴───────────────┴───────────────┘
//!  pattern: u32 tag: 0 Any (`*`) | 1 Never | 2 Named: str service, glob name
//! ```
//!
//! The statement pattern lists are the distinct `Action` / `NotAction` lists of pattern ids
//! (`ActionPatterns::Indexed`), stored once however many statements carry them; a statement
//! names its list by position (section `statements`), and each list must be named.
//!
//! Patterns are also written inline, with the same encoding, by statements whose action list is
//! self-contained (`ActionPatterns::Direct`, section `statements`).

#[cfg(feature = "write")]
use super::codec::Writer;
use super::codec::{Reader, WORD};
#[cfg(feature = "write")]
use super::values::write_glob;
use super::values::{read_glob, skip_glob};
use crate::format::error::LoadError;
use crate::tables::{ActionIndex, ActionPattern};
use std::sync::Arc;

/// The statement pattern lists of the section, in order.
pub(super) type PatternLists = Vec<Arc<[u32]>>;

/// Reads the section: the action index and the statement pattern lists.
pub(super) fn read(r: &mut Reader<'_, '_>) -> Result<(ActionIndex, PatternLists), LoadError> {
    let n = r.count(WORD, "service count")?;
    let mut services = Vec::with_capacity(n);
    for _ in 0..n {
        services.push(r.string("service prefix")?);
    }
    let n = r.count(WORD, "action pattern count")?;
    let mut patterns = Vec::with_capacity(n);
    for _ in 0..n {
        patterns.push(read_pattern(r)?);
    }
    let n = r.count(2 * WORD, "known action count")?;
    let mut known = Vec::with_capacity(n);
    for _ in 0..n {
        known.push((r.string("known action")?, r.u32("known action's class")?));
    }
    let n = r.count(WORD, "action class count")?;
    let mut classes = Vec::with_capacity(n);
    for _ in 0..n {
        classes.push(r.ids("action class")?);
    }
    let n = r.count(WORD, "statement pattern list count")?;
    let mut lists = Vec::with_capacity(n);
    for _ in 0..n {
        lists.push(r.shared_ids("statement pattern list")?);
    }
    let index = ActionIndex {
        patterns,
        services,
        known,
        classes,
    };
    Ok((index, lists))
}

/// Writes the section: the action index, then the statement pattern lists `lists`.
#[cfg(feature = "write")]
pub(super) fn write(w: &mut Writer<'_>, a: &ActionIndex, lists: &[&[u32]]) {
    w.len(a.services.len());
    for s in &a.services {
        w.str(s);
    }
    w.len(a.patterns.len());
    for p in &a.patterns {
        write_pattern(w, p);
    }
    w.len(a.known.len());
    for (name, class) in &a.known {
        w.str(name);
        w.u32(*class);
    }
    w.len(a.classes.len());
    for c in &a.classes {
        w.ids(c);
    }
    w.len(lists.len());
    for ids in lists {
        w.ids(ids);
    }
}

/// Reads one action pattern.
pub(super) fn read_pattern(r: &mut Reader<'_, '_>) -> Result<ActionPattern, LoadError> {
    Ok(
        match r.tag(3, "action pattern tag", "0 (Any), 1 (Never) or 2 (Named)")? {
            0 => ActionPattern::Any,
            1 => ActionPattern::Never,
            _ => ActionPattern::Named {
                service: r.string("action pattern service")?,
                name: read_glob(r, "action pattern name")?,
            },
        },
    )
}

/// Moves past one action pattern, checking only its shape.
pub(super) fn skip_pattern(r: &mut Reader<'_, '_>) -> Result<(), LoadError> {
    if r.tag(3, "action pattern tag", "0 (Any), 1 (Never) or 2 (Named)")? == 2 {
        r.u32("action pattern service")?;
        skip_glob(r, "action pattern name")?;
    }
    Ok(())
}

/// Writes one action pattern.
#[cfg(feature = "write")]
pub(super) fn write_pattern(w: &mut Writer<'_>, p: &ActionPattern) {
    match p {
        ActionPattern::Any => w.u32(0),
        ActionPattern::Never => w.u32(1),
        ActionPattern::Named { service, name } => {
            w.u32(2);
            w.str(service);
            write_glob(w, name);
        }
    }
}
