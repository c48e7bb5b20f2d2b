//! Encodings several sections share: globs, templates, tags, policy-id levels.
//!
//! ```text
//!  glob      str text, ids literal          text: `*` for Star, `?` for Quest, other chars
//!                                           as is; literal: the char indices (ascending) of
//!                                           `*`/`?` chars of text that are literal characters
//!  template  u32 n, part × n
//!  part      u32 tag: 0 Lit str | 1 Var str key, opt-str default | 2 Escaped u32 char
//!                   | 3 Text str
//!  tags      u32 n, (str key, str value) × n
//!  levels    u32 n or NONE (absent), ids × n     (SCP/RCP levels, root first)
//! ```

#[cfg(feature = "write")]
use super::codec::Writer;
use super::codec::{Reader, WORD};
use crate::format::error::LoadError;
use crate::glob::Tok;
use crate::pattern::{Part, Template};
use crate::tables::{PolicyId, Tag};

/// Reads a glob.
pub(super) fn read_glob(r: &mut Reader<'_, '_>, what: &'static str) -> Result<Vec<Tok>, LoadError> {
    let text = r.str(what)?;
    let literal = r.ids("literal wildcard positions of a glob")?;
    let mut literal = literal.into_iter().peekable();
    let mut toks = Vec::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        let is_literal = literal.next_if_eq(&i).is_some();
        toks.push(match c {
            '*' if !is_literal => Tok::Star,
            '?' if !is_literal => Tok::Quest,
            '*' | '?' => Tok::Char(c),
            _ if is_literal => {
                return Err(r.err(LoadError::invalid_value(
                    "a literal wildcard position of a glob",
                    "the index of a `*` or `?`",
                    u64::from(i),
                )));
            }
            c => Tok::Char(c),
        });
    }
    if let Some(p) = literal.next() {
        // Past the end, repeated, or not ascending.
        return Err(r.err(LoadError::invalid_value(
            "a literal wildcard position of a glob",
            "ascending char indices inside the text",
            u64::from(p),
        )));
    }
    Ok(toks)
}

/// Moves past a glob, checking only its shape (the statement scan that splits the section).
pub(super) fn skip_glob(r: &mut Reader<'_, '_>, what: &'static str) -> Result<(), LoadError> {
    r.u32(what)?;
    r.skip_ids("literal wildcard positions of a glob")
}

/// Writes a glob.
#[cfg(feature = "write")]
pub(super) fn write_glob(w: &mut Writer<'_>, toks: &[Tok]) {
    let mut text = String::with_capacity(toks.len());
    let mut literal = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Star => text.push('*'),
            Tok::Quest => text.push('?'),
            Tok::Char(c) => {
                if matches!(c, '*' | '?') {
                    literal.push(super::codec::len32(i));
                }
                text.push(*c);
            }
        }
    }
    w.str(&text);
    w.ids(&literal);
}

/// Reads a template.
pub(super) fn read_template(r: &mut Reader<'_, '_>) -> Result<Template, LoadError> {
    let n = r.count(2 * WORD, "template part count")?;
    let mut parts = Vec::with_capacity(n);
    for _ in 0..n {
        let part = match r.tag(
            4,
            "template part tag",
            "0 (Lit), 1 (Var), 2 (Escaped) or 3 (Text)",
        )? {
            0 => Part::Lit(r.string("template literal")?),
            1 => Part::Var {
                key: r.string("template variable key")?,
                default: r.opt_string("template variable default")?,
            },
            2 => {
                let c = r.u32("escaped character")?;
                let c = char::from_u32(c).ok_or_else(|| {
                    r.err(LoadError::invalid_value(
                        "escaped character",
                        "a Unicode scalar value",
                        u64::from(c),
                    ))
                })?;
                Part::Escaped(c)
            }
            _ => Part::Text(r.string("template folded text")?),
        };
        parts.push(part);
    }
    Ok(Template { parts })
}

/// Writes a template.
#[cfg(feature = "write")]
pub(super) fn write_template(w: &mut Writer<'_>, t: &Template) {
    w.len(t.parts.len());
    for p in &t.parts {
        match p {
            Part::Lit(s) => {
                w.u32(0);
                w.str(s);
            }
            Part::Var { key, default } => {
                w.u32(1);
                w.str(key);
                w.opt_str(default.as_deref());
            }
            Part::Escaped(c) => {
                w.u32(2);
                w.u32(u32::from(*c));
            }
            Part::Text(s) => {
                w.u32(3);
                w.str(s);
            }
        }
    }
}

/// Reads tags. Keys and values are shared per string: an organization repeats a few tag keys
/// and values over thousands of principals.
pub(super) fn read_tags(r: &mut Reader<'_, '_>) -> Result<Vec<Tag>, LoadError> {
    let n = r.count(2 * WORD, "tag count")?;
    let mut tags = Vec::with_capacity(n);
    for _ in 0..n {
        tags.push((r.shared("tag key")?, r.shared("tag value")?));
    }
    Ok(tags)
}

/// Writes tags.
#[cfg(feature = "write")]
pub(super) fn write_tags(w: &mut Writer<'_>, tags: &[Tag]) {
    w.len(tags.len());
    for (k, v) in tags {
        w.str(k);
        w.str(v);
    }
}

/// Reads optional policy levels.
pub(super) fn read_levels(
    r: &mut Reader<'_, '_>,
    what: &'static str,
) -> Result<Option<Vec<Vec<PolicyId>>>, LoadError> {
    let Some(n) = r.opt_count(WORD, what)? else {
        return Ok(None);
    };
    let mut levels = Vec::with_capacity(n);
    for _ in 0..n {
        levels.push(r.ids(what)?);
    }
    Ok(Some(levels))
}

/// Writes optional policy levels.
#[cfg(feature = "write")]
pub(super) fn write_levels(w: &mut Writer<'_>, levels: Option<&Vec<Vec<PolicyId>>>) {
    match levels {
        None => w.opt(None),
        Some(levels) => {
            w.len(levels.len());
            for l in levels {
                w.ids(l);
            }
        }
    }
}
