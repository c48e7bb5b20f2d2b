//! Support for Gavel's fuzz targets: the regex oracle of the `wildcard` target and the
//! structured organization generator of the `differential` target ([`orggen`]). The properties
//! themselves live in `gavel_compiler::fuzzcheck`, shared with the crash replay in `cargo test`.

#![forbid(unsafe_code)]

pub mod orggen;

/// Compiles `source` with the `regex` crate and matches it against each text; `None` when
/// the regex is refused (too large), so the check skips that pattern.
pub fn regex_oracle(source: &str, texts: &[String]) -> Option<Vec<bool>> {
    let re = regex::Regex::new(source).ok()?;
    Some(texts.iter().map(|t| re.is_match(t)).collect())
}
