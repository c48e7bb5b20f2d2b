//! Errors and warnings about policy text, and how they are shown to people and tools.
//!
//! Diagnostics are a designed product (STYLE.md items 9-10): every message is a lowercase
//! sentence that quotes user input in backticks, most carry a `help` line saying what to do,
//! and each points at a span of the source. A front end collects *all* of them instead of
//! stopping at the first.
//!
//! Two renderings exist: [`Diagnostics::render`] for humans (file:line:column, the source line
//! with a caret under the span, then `= help: …`) and [`Diagnostics::to_json`] /
//! [`Diagnostics::render_json`] for `--error-format json`.

use crate::model::Loc;
use std::fmt;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The document is rejected.
    Error,
    /// The document is accepted, but probably does not do what its author meant.
    Warning,
}

impl Severity {
    /// The lowercase name used in both renderings.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One error or warning about a span of source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable short identifier such as `unknown-operator`, for tools and tests.
    pub code: &'static str,
    /// Where the span starts.
    pub loc: Loc,
    /// The span's length in bytes from `loc.offset` (0 for a point).
    pub len: usize,
    /// One lowercase sentence, user input in backticks, no final period.
    pub message: String,
    /// What to do about it, if there is something to say.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error at `loc` (a point span; see [`Diagnostic::with_len`]).
    pub fn error(code: &'static str, loc: Loc, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            loc,
            len: 0,
            message: message.into(),
            help: None,
        }
    }

    /// A new warning at `loc`.
    pub fn warning(code: &'static str, loc: Loc, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, loc, message)
        }
    }

    /// Sets the span length in bytes.
    #[must_use]
    pub fn with_len(mut self, len: usize) -> Diagnostic {
        self.len = len;
        self
    }

    /// Adds a help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders this diagnostic for a person: `FILE:LINE:COL: error: message`, the source line
    /// with carets under the span, and the help line. `source` is the text the location refers
    /// to; when the location is outside it, the source excerpt is left out.
    pub fn render(&self, file: &str, source: &str) -> String {
        let mut out = format!(
            "{file}:{}:{}: {}: {}\n",
            self.loc.line, self.loc.col, self.severity, self.message
        );
        if let Some(excerpt) = self.excerpt(source) {
            out.push_str(&excerpt);
        }
        if let Some(help) = &self.help {
            let gutter = " ".repeat(self.loc.line.to_string().len() + 1);
            out.push_str(&format!("{gutter}= help: {help}\n"));
        }
        out
    }

    /// The source line and the caret line, with a rustc-style gutter.
    fn excerpt(&self, source: &str) -> Option<String> {
        let offset = usize::try_from(self.loc.offset).ok()?;
        if offset > source.len() || !source.is_char_boundary(offset) {
            return None;
        }
        let before = source.get(..offset)?;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line_end = source
            .get(offset..)?
            .find('\n')
            .map_or(source.len(), |i| offset + i);
        let line = source.get(line_start..line_end)?.trim_end_matches('\r');
        let lead = source.get(line_start..offset)?;
        let span_end = offset.saturating_add(self.len).min(line_start + line.len());
        let span = source.get(offset..span_end.max(offset)).unwrap_or("");
        let width = |s: &str| -> usize { s.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum() };
        let shown: String = line
            .chars()
            .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
            .collect::<String>()
            .replace('\t', "    ");
        let number = self.loc.line.to_string();
        let pad = " ".repeat(number.len());
        let carets = "^".repeat(width(span).max(1));
        Some(format!(
            "{pad} |\n{number} | {shown}\n{pad} | {}{carets}\n",
            " ".repeat(width(lead))
        ))
    }

    /// The JSON form: `{"severity","code","message","help","line","column","file"}`.
    pub fn to_json(&self, file: &str) -> serde_json::Value {
        serde_json::json!({
            "severity": self.severity.as_str(),
            "code": self.code,
            "message": self.message,
            "help": self.help,
            "line": self.loc.line,
            "column": self.loc.col,
            "file": file,
        })
    }
}

impl fmt::Display for Diagnostic {
    /// `LINE:COL: error: message (help: …)`, for logs where the source is not at hand.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.loc.line, self.loc.col, self.severity, self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// A collection of errors and warnings, kept in the order they were found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Adds every diagnostic of `other`.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    /// True when at least one diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// The number of errors.
    pub fn error_count(&self) -> usize {
        self.errors().count()
    }

    /// The number of warnings.
    pub fn warning_count(&self) -> usize {
        self.warnings().count()
    }

    /// The errors, in the order found.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.is_error())
    }

    /// The warnings, in the order found.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| !d.is_error())
    }

    /// Every diagnostic, in the order found.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    /// The number of diagnostics.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorts by position in the source (errors before warnings at the same place); the sort is
    /// stable, so diagnostics at one position keep the order they were found in.
    pub fn sort(&mut self) {
        self.items
            .sort_by_key(|d| (d.loc.offset, d.loc.line, d.loc.col, d.severity));
    }

    /// Takes the diagnostics out.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    /// Renders every diagnostic for a person (see [`Diagnostic::render`]), separated by blank
    /// lines, followed by a summary line such as `2 errors, 1 warning`.
    pub fn render(&self, file: &str, source: &str) -> String {
        let mut out = String::new();
        for d in &self.items {
            out.push_str(&d.render(file, source));
            out.push('\n');
        }
        if !self.items.is_empty() {
            out.push_str(&self.summary());
            out.push('\n');
        }
        out
    }

    /// `N errors, M warnings` (singular forms when the count is one).
    pub fn summary(&self) -> String {
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("1 {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        format!(
            "{}, {}",
            plural(self.error_count(), "error"),
            plural(self.warning_count(), "warning")
        )
    }

    /// The JSON form: an array of [`Diagnostic::to_json`] objects.
    pub fn to_json(&self, file: &str) -> serde_json::Value {
        serde_json::Value::Array(self.items.iter().map(|d| d.to_json(file)).collect())
    }

    /// One compact JSON object per line (JSON Lines), for `--error-format json`.
    pub fn render_json(&self, file: &str) -> String {
        let mut out = String::new();
        for d in &self.items {
            out.push_str(&d.to_json(file).to_string());
            out.push('\n');
        }
        out
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics { items: vec![d] }
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(items: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics { items }
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        self.items.extend(iter);
    }
}

impl fmt::Display for Diagnostics {
    /// One line per diagnostic (see [`Diagnostic`]'s `Display`), without source excerpts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_with_caret_and_help() {
        let src = "{\n  \"Condition\": {\"StringEqual\": {}}\n}";
        let offset = src.find("\"StringEqual\"").unwrap_or(0);
        let d = Diagnostic::error(
            "unknown-operator",
            Loc::at(src, offset),
            "unknown condition operator `StringEqual`",
        )
        .with_len("\"StringEqual\"".len())
        .with_help("did you mean `StringEquals`?");
        assert_eq!(
            d.render("p.json", src),
            "p.json:2:17: error: unknown condition operator `StringEqual`\n  |\n2 |   \"Condition\": {\"StringEqual\": {}}\n  |                 ^^^^^^^^^^^^^\n  = help: did you mean `StringEquals`?\n"
        );
        assert_eq!(
            d.to_string(),
            "2:17: error: unknown condition operator `StringEqual` (help: did you mean `StringEquals`?)"
        );
        let json = d.to_json("p.json");
        assert_eq!(json["code"], "unknown-operator");
        assert_eq!(json["line"], 2);
        assert_eq!(json["column"], 17);
        assert_eq!(json["severity"], "error");
    }

    #[test]
    fn collection_counts_and_summary() {
        let mut ds = Diagnostics::new();
        assert!(!ds.has_errors());
        ds.push(Diagnostic::warning("w", Loc::default(), "careful"));
        assert!(!ds.has_errors());
        ds.push(Diagnostic::error("e", Loc::default(), "bad"));
        ds.push(Diagnostic::error("e", Loc::default(), "worse"));
        assert!(ds.has_errors());
        assert_eq!(ds.summary(), "2 errors, 1 warning");
        assert_eq!(ds.render_json("f").lines().count(), 3);
        // Out-of-range locations do not panic and leave the excerpt out.
        let far = Diagnostic::error(
            "e",
            Loc {
                line: 9,
                col: 9,
                offset: 999,
            },
            "x",
        );
        assert_eq!(far.render("f", "short"), "f:9:9: error: x\n");
    }
}
