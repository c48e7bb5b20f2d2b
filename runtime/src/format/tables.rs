//! The decision tables in a file: `encode` (cargo feature `write`) lays [`Tables`] out in the
//! nine sections of the container, [`decode`] reads them back and validates them.
//!
//! One file per section under `tables/`, each with its read and write halves side by side and
//! its layout drawn in its module docs (and in `FORMAT.md`). The shared encodings (globs,
//! templates, tags, policy levels) are in `tables/values.rs`, the checked word reader and the
//! writer in `tables/codec.rs`.
//!
//! # Decoding order
//!
//! 1. every section must be present (a missing one is named);
//! 2. `meta` (the writer's name and the entry counts), then the `strings` pool: every string
//!    in bounds and valid UTF-8;
//! 3. `actions`, `conditions`, `resources`, `policies`, `statements`, `principals`,
//!    `org-tree`, each read front to back with checked reads: every count is checked against
//!    the bytes left before anything is allocated for it, every tag and flag word against the
//!    values this version defines, every string id against the pool, and each section must end
//!    exactly after its last entry. Statements name their pattern, resource and clause lists
//!    by position, and every stored list must be named; policies take the next statements
//!    (the policies' counts must add up to the statement count before any statement is
//!    decoded into its policy). Leftover entries are an error, and the decoded tables are
//!    never larger than linear in the file (a list named many times is decoded once);
//! 4. the counts in `meta` must equal what the sections hold;
//! 5. [`Tables::check`]: every policy, pattern, service, class and account id names something;
//!    it also builds the lookup maps, which are not stored.
//!
//! Strings are cloned out of the pool against a budget of [`TEXT_PER_FILE_BYTE`] bytes of text
//! per byte of file (at least [`TEXT_FLOOR`]), so a crafted file that names one long string
//! millions of times fails instead of decoding to gigabytes.
//!
//! The writer stores each distinct pattern list, resource list and clause list once, and the
//! reader shares each decoded list (`Arc`) among the statements that name it: the L benchmark
//! organization's 196,533 statements name 10,476 distinct pattern lists, 29,655 resource lists
//! and 2,978 clause lists. Sids are shared per string id. Only what is materialized is charged
//! to the budget.
//!
//! Never panics, whatever the bytes.

mod actions;
mod codec;
mod conditions;
mod meta;
mod org;
mod policies;
mod principals;
mod resources;
mod statements;
mod strings;
mod values;

pub use meta::{Counts, Meta};

use crate::format::error::LoadError;
use crate::format::file::{File, FileView};
use crate::format::section::SectionKind;
use crate::format::wire::wide;
use crate::par;
use crate::tables::{Scope, Tables};
use codec::{Reader, Strs};

/// Decoding may materialize this many bytes of text per byte of file. Real files stay far
/// below it: each use of a pooled string costs at least a 4-byte id, and the example
/// organization's file materializes 0.5 bytes of text per file byte (0.7 with the whole AWS
/// action catalogue).
pub const TEXT_PER_FILE_BYTE: u64 = 64;

/// ... and at least this many, whatever the file's size (16 MiB).
pub const TEXT_FLOOR: u64 = 16 << 20;

/// The sections a decision file with tables must hold (all of them).
const REQUIRED: [SectionKind; 9] = SectionKind::ALL;

/// Reads the tables of a validated file and checks them ([`Tables::check`]).
///
/// Errors name the section and the quantity that is wrong; a file without tables (a bare
/// container) fails with a missing-section error.
pub fn decode(file: &File<impl AsRef<[u8]>>) -> Result<Tables, LoadError> {
    decode_view(&file.view())
}

/// [`decode`] on one thread (`parallel` false) or two (true), whatever the file's size.
/// [`decode`] takes two from [`PARALLEL_FROM`] bytes on; one thread suits a caller that must
/// not take a second core, e.g. one reloading beside busy query threads.
///
/// Both give the same tables (but for how the statement plans are numbered and shared: see
/// [`Tables::check_with`]) and, for a bad file, the same error, except which section reports
/// an exhausted text budget.
pub fn decode_with(file: &File<impl AsRef<[u8]>>, parallel: bool) -> Result<Tables, LoadError> {
    decode_sections(&file.view(), parallel)
}

/// Reads the `meta` section of a validated file: the writer and the entry counts.
pub fn read_meta(file: &File<impl AsRef<[u8]>>) -> Result<Meta, LoadError> {
    meta_view(&file.view())
}

fn meta_view(file: &FileView<'_>) -> Result<Meta, LoadError> {
    let no_strings = Strs::new(Vec::new(), 0);
    let mut r = Reader::new(
        file.require(SectionKind::Meta)?,
        SectionKind::Meta,
        &no_strings,
    );
    let meta = meta::read(&mut r)?;
    r.finish()?;
    Ok(meta)
}

/// Reads one section with `read`, which must consume all of it.
fn section<'a, T>(
    file: &'a FileView<'_>,
    kind: SectionKind,
    strs: &Strs<'a>,
    read: impl FnOnce(&mut Reader<'a, '_>) -> Result<T, LoadError>,
) -> Result<T, LoadError> {
    let mut r = Reader::new(file.require(kind)?, kind, strs);
    let value = read(&mut r)?;
    r.finish()?;
    Ok(value)
}

fn decode_view(file: &FileView<'_>) -> Result<Tables, LoadError> {
    decode_sections(file, file.as_bytes().len() >= PARALLEL_FROM)
}

/// [`decode`] uses two threads for files at least this large (1 MiB): below it, starting a
/// thread costs more than it saves (and the fuzzers' throughput would halve).
pub const PARALLEL_FROM: usize = 1 << 20;

/// The sections decoded and the tables checked, on two threads when `parallel`.
fn decode_sections(file: &FileView<'_>, parallel: bool) -> Result<Tables, LoadError> {
    for kind in REQUIRED {
        file.require(kind)?;
    }
    let meta = meta_view(file)?;
    let pool = strings::read(file.require(SectionKind::Strings)?)?;
    let budget = wide(file.as_bytes().len())
        .saturating_mul(TEXT_PER_FILE_BYTE)
        .max(TEXT_FLOOR);
    let strs = Strs::new(pool, budget);

    // Two phases of two halves each: `resources` and `principals` beside `actions`,
    // `conditions`, `policies`, the statement scan and `org-tree` (`statements` needs the
    // lists); then the two halves of `statements`, split at a policy boundary found by a
    // shape-only scan, each assembling its policies. Errors are then reported in section
    // order, whichever thread met its error first.
    let statement_bytes = file.require(SectionKind::Statements)?;
    let fork = strs.fork();
    let ((actions, clauses, heads, layout, tree), second) = par::join(
        parallel,
        || {
            let actions = section(file, SectionKind::Actions, &strs, actions::read);
            let clauses = section(file, SectionKind::Conditions, &strs, conditions::read);
            let heads = section(file, SectionKind::Policies, &strs, policies::read);
            let layout = heads.as_ref().ok().map(|heads| {
                let counts: Vec<usize> = heads.iter().map(|h| h.statements).collect();
                let mut r = Reader::new(statement_bytes, SectionKind::Statements, &strs);
                let count = statements::count(&mut r, counts.iter().copied());
                let start = r.at();
                let split = match count {
                    Ok(_) if parallel => statements::split(&mut r, &counts),
                    _ => None,
                };
                (counts, count, start, split)
            });
            let tree = section(file, SectionKind::OrgTree, &strs, org::read);
            (actions, clauses, heads, layout, tree)
        },
        move || {
            let lists = section(file, SectionKind::Resources, &fork, resources::read);
            let people = section(file, SectionKind::Principals, &fork, principals::read);
            (lists, people)
        },
    );
    let ((actions, action_lists), clauses) = (actions?, clauses?);
    let (lists, people) = second.unwrap_or_else(|| (Err(stopped()), Err(stopped())));
    let lists = lists?;
    let mut heads = heads?;
    let Some((counts, count, start, split)) = layout else {
        return Err(stopped());
    };
    count?;
    // The halves, or the whole section when it was not split.
    let split = split.filter(|sp| sp.policies <= counts.len());
    let (counts_first, counts_rest) = counts.split_at(split.map_or(counts.len(), |sp| sp.policies));
    // Each half assembles its own policies, while their statements are in its cache.
    let heads_rest = heads.split_off(counts_first.len().min(heads.len()));
    let rest_count = heads_rest.len();
    let fork = strs.fork();
    let (pool_actions, pool_lists, pool_clauses) = (&action_lists, &lists, &clauses);
    let (first, rest) = par::join(
        split.is_some(),
        || {
            let mut r = Reader::new(statement_bytes, SectionKind::Statements, &strs);
            r.seek(start);
            let mut pools = statements::Pools::new(&action_lists, &lists, &clauses);
            let out = statements::read(&mut r, counts_first, &mut pools)?;
            let out = policies::assemble(heads, out, rest_count);
            match split {
                // The scan and the decoder must agree on where the first half ends.
                Some(sp) if r.at() != sp.at => Err(r.err(LoadError::inconsistent(
                    "the statement scan and decoder disagree".into(),
                ))),
                Some(_) => Ok((out, pools)),
                None => r.finish().map(|()| (out, pools)),
            }
        },
        move || {
            let mut pools = statements::Pools::new(pool_actions, pool_lists, pool_clauses);
            let Some(sp) = split else {
                return Ok((Vec::new(), pools));
            };
            let mut r = Reader::new(statement_bytes, SectionKind::Statements, &fork);
            r.seek(sp.at);
            let out = statements::read(&mut r, counts_rest, &mut pools)?;
            let out = policies::assemble(heads_rest, out, 0);
            r.finish().map(|()| (out, pools))
        },
    );
    let (mut policies, mut pools) = first?;
    if split.is_some() {
        let (more, other) = rest.unwrap_or_else(|| Err(stopped()))?;
        policies.extend(more);
        pools.merge(&other);
    }
    let (actions_left, lists_left, clauses_left) = pools.unused();
    unused(
        actions_left,
        "statement pattern lists",
        SectionKind::Actions,
    )?;
    unused(clauses_left, "clause lists", SectionKind::Conditions)?;
    unused(lists_left, "resource lists", SectionKind::Resources)?;
    let (n_clauses, n_lists) = (clauses.len(), lists.len());
    let n_statements = policies.iter().map(|p| p.statements.len()).sum();
    let (principals, mut scope) = (people?, tree?);

    let accounts = match &scope {
        Scope::Org(org) => org.accounts.len(),
        Scope::Fixed(_) => 0,
    };
    let found = Counts {
        strings: count32(strs.len()),
        action_patterns: count32(actions.patterns.len()),
        policies: count32(policies.len()),
        statements: count32(n_statements),
        clause_lists: count32(n_clauses),
        resource_lists: count32(n_lists),
        principals: count32(principals.len()),
        accounts: count32(accounts),
    };
    meta.counts
        .check(&found)
        .map_err(|e| e.in_section(SectionKind::Meta))?;

    match &mut scope {
        Scope::Org(org) => org.principals = principals,
        Scope::Fixed(_) if !principals.is_empty() => {
            return Err(LoadError::invalid_value(
                "principal record count of a fixed policy set",
                "0",
                wide(principals.len()),
            )
            .in_section(SectionKind::Principals));
        }
        Scope::Fixed(_) => {}
    }
    Tables {
        actions,
        policies,
        scope,
        derived: Default::default(),
    }
    .check_with(parallel)
    .map_err(|e| LoadError::inconsistent(e.0))
}

/// A decoding thread ended without its result (it cannot panic; fail closed if it ever did).
fn stopped() -> LoadError {
    LoadError::inconsistent("a decoding thread stopped without a result".into())
}

/// Entries of `kind` left over after the sections that use them were read.
fn unused(left: usize, what: &'static str, kind: SectionKind) -> Result<(), LoadError> {
    match left {
        0 => Ok(()),
        n => Err(LoadError::unused_entries(what, wide(n)).in_section(kind)),
    }
}

/// A decoded count (each fits: it was read from a `u32`).
fn count32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Lays `t` out as a complete decision file (all nine sections, checksums, header).
///
/// Deterministic: the same tables always give the same bytes (strings are numbered in
/// first-use order, sections are written in kind order, the derived lookup maps are not
/// stored). `decode` of the result gives `t` back (after [`Tables::check`]).
#[cfg(feature = "write")]
pub fn encode(t: &Tables) -> Vec<u8> {
    use crate::format::writer::FileBuilder;
    use codec::{Pool, Writer};

    let mut pool = Pool::default();
    let mut out = FileBuilder::new();
    let mut put = |kind, pool: &mut Pool, write: &dyn Fn(&mut Writer<'_>)| {
        let mut w = Writer::new(pool);
        write(&mut w);
        out.add_section(kind, w.finish());
    };
    let statements: Vec<_> = t.policies.iter().flat_map(|p| &p.statements).collect();
    let lists = statements::Lists::of(&statements);
    let (principals, accounts) = match &t.scope {
        Scope::Org(org) => (org.principals.as_slice(), org.accounts.len()),
        Scope::Fixed(_) => (&[][..], 0),
    };

    // Interning order (and so string ids) follows this order of sections.
    put(SectionKind::Actions, &mut pool, &|w| {
        actions::write(w, &t.actions, &lists.actions)
    });
    put(SectionKind::Conditions, &mut pool, &|w| {
        conditions::write(w, &lists.clauses)
    });
    put(SectionKind::Resources, &mut pool, &|w| {
        resources::write(w, &lists.resources)
    });
    put(SectionKind::Statements, &mut pool, &|w| {
        statements::write(w, &statements, &lists)
    });
    put(SectionKind::Policies, &mut pool, &|w| {
        policies::write(w, &t.policies)
    });
    put(SectionKind::Principals, &mut pool, &|w| {
        principals::write(w, principals)
    });
    put(SectionKind::OrgTree, &mut pool, &|w| {
        org::write(w, &t.scope)
    });
    let meta = Meta {
        writer: concat!("gavel-runtime ", env!("CARGO_PKG_VERSION")).to_string(),
        counts: Counts {
            strings: count32(pool.ends.len()),
            action_patterns: count32(t.actions.patterns.len()),
            policies: count32(t.policies.len()),
            statements: count32(statements.len()),
            clause_lists: count32(lists.clauses.len()),
            resource_lists: count32(lists.resources.len()),
            principals: count32(principals.len()),
            accounts: count32(accounts),
        },
    };
    put(SectionKind::Meta, &mut pool, &|w| meta::write(w, &meta));
    out.add_section(SectionKind::Strings, strings::write(&pool));
    // Every kind is added once, so `finish` cannot fail; an empty result would be refused by
    // any reader as too short, should that ever change.
    out.finish().unwrap_or_default()
}

#[cfg(feature = "write")]
impl Tables {
    /// The tables as a complete decision file ([`encode`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        encode(self)
    }
}
