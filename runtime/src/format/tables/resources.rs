//! Section `resources` (kind 4): the distinct `Resource` / `NotResource` lists of the
//! statements (each statement with one names it by position; section `statements`). A list
//! is stored once however many statements carry it (the L benchmark organization: 29,655
//! lists for 191,017 statements), so decoding reads each once.
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
#[cfg(feature = "write")]
use crate::glob::Tok;
use crate::tables::{ResourcePattern, Resources};

const TAG: &str = "resource entry tag";
const TAGS: &str = "0 (Any), 1 (Exact), 2 (Prefix), 3 (Glob) or 4 (Template)";

/// Reads the section: the lists, in order.
pub(super) fn read(r: &mut Reader<'_, '_>) -> Result<Vec<Resources>, LoadError> {
    let n = r.count(2 * WORD, "resource list count")?;
    let mut lists = Vec::with_capacity(n);
    for _ in 0..n {
        lists.push(read_list(r)?);
    }
    Ok(lists)
}

fn read_list(r: &mut Reader<'_, '_>) -> Result<Resources, LoadError> {
    let negated = r.bool("NotResource flag")?;
    let n = r.count(WORD, "resource entry count")?;
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        items.push(match r.tag(5, TAG, TAGS)? {
            0 => ResourcePattern::Any,
            1 => ResourcePattern::Exact(r.string("exact resource")?),
            2 => ResourcePattern::Prefix(r.string("resource prefix")?),
            3 => ResourcePattern::glob(read_glob(r, "resource glob")?),
            _ => ResourcePattern::Template(read_template(r)?),
        });
    }
    Ok(Resources {
        negated,
        items: items.into(),
    })
}

/// Writes the section: the distinct lists, in the order statements first name them.
#[cfg(feature = "write")]
pub(super) fn write(w: &mut Writer<'_>, lists: &[&Resources]) {
    w.len(lists.len());
    for list in lists {
        w.bool(list.negated);
        w.len(list.items.len());
        for item in list.items.iter() {
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
                ResourcePattern::Stars(text) => {
                    w.u32(3);
                    write_glob(w, &Tok::glob(text));
                }
                ResourcePattern::Template(t) => {
                    w.u32(4);
                    write_template(w, t);
                }
            }
        }
    }
}
