//! Section `resources` (kind 4): every statement's `Resource` / `NotResource` list, in
//! statement order (each statement that has one takes the next list; section `statements`).
//!
//! ```text
//!  ┌───────────┬─────────────────────────────────────────────────────────┐
//!  │ count u32 │ list × count                                            │
//!  └───────────┴─────────────────────────────────────────────────────────┘
//!  list:  u32 negated (0/1: NotResource), u32 n, item × n
//!  item:  u32 tag: 0 Any (`*`) | 1 Exact str arn | 2 Prefix str prefix | 3 Glob glob
//!                | 4 Template template
//! ```

#[cfg(feature = "write")]
use super::codec::Writer;
use super::codec::{Reader, WORD};
use super::values::{read_glob, read_template};
#[cfg(feature = "write")]
use super::values::{write_glob, write_template};
use crate::format::error::LoadError;
use crate::tables::{ResourcePattern, Resources};

/// Reads the section.
pub(super) fn read(r: &mut Reader<'_, '_>) -> Result<Vec<Resources>, LoadError> {
    let n = r.count(2 * WORD, "resource list count")?;
    let mut lists = Vec::with_capacity(n);
    for _ in 0..n {
        let negated = r.bool("NotResource flag")?;
        let n = r.count(WORD, "resource entry count")?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            let tag = r.tag(
                5,
                "resource entry tag",
                "0 (Any), 1 (Exact), 2 (Prefix), 3 (Glob) or 4 (Template)",
            )?;
            items.push(match tag {
                0 => ResourcePattern::Any,
                1 => ResourcePattern::Exact(r.string("exact resource")?),
                2 => ResourcePattern::Prefix(r.string("resource prefix")?),
                3 => ResourcePattern::Glob(read_glob(r, "resource glob")?),
                _ => ResourcePattern::Template(read_template(r)?),
            });
        }
        lists.push(Resources { negated, items });
    }
    Ok(lists)
}

/// Writes the section: the resource lists of every statement of every policy, in order.
#[cfg(feature = "write")]
pub(super) fn write<'t>(w: &mut Writer<'_>, lists: impl ExactSizeIterator<Item = &'t Resources>) {
    w.len(lists.len());
    for list in lists {
        w.bool(list.negated);
        w.len(list.items.len());
        for item in &list.items {
            match item {
                ResourcePattern::Any => w.u32(0),
                ResourcePattern::Exact(s) => {
                    w.u32(1);
                    w.str(s);
                }
                ResourcePattern::Prefix(s) => {
                    w.u32(2);
                    w.str(s);
                }
                ResourcePattern::Glob(g) => {
                    w.u32(3);
                    write_glob(w, g);
                }
                ResourcePattern::Template(t) => {
                    w.u32(4);
                    write_template(w, t);
                }
            }
        }
    }
}
