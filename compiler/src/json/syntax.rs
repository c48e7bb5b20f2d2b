//! Strict JSON (RFC 8259) on top of `jsonc-parser`, with located, readable errors.
//!
//! `jsonc-parser` runs with every leniency switched off. It still tolerates a few things RFC 8259
//! forbids (raw control characters inside strings, leading zeros such as `01` which it splits
//! into two numbers, vertical tab, form feed and Unicode spaces between tokens, a byte order
//! mark), so a small lexical pre-scan of the source finds those and reports them itself.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::Loc;
use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::common::Range;
use jsonc_parser::errors::{ParseError, ParseErrorKind};
use jsonc_parser::{CollectOptions, ParseOptions, ParseStringErrorKind};
use std::collections::HashMap;

pub(crate) use crate::model::loc::LineIndex;

/// A lexical problem `jsonc-parser` lets through.
#[derive(Debug)]
enum Lexical {
    /// A raw character below U+0020 inside a string.
    ControlChar { offset: usize, ch: char },
    /// A number with a superfluous leading zero, `start..end` is the whole digit run.
    LeadingZero { start: usize, end: usize },
    /// White space other than space, tab, line feed and carriage return between tokens
    /// (reported once per character, with the number of occurrences).
    Whitespace {
        offset: usize,
        ch: char,
        count: usize,
    },
}

impl Lexical {
    fn offset(&self) -> usize {
        match self {
            Lexical::ControlChar { offset, .. } | Lexical::Whitespace { offset, .. } => *offset,
            Lexical::LeadingZero { start, .. } => *start,
        }
    }
}

/// Finds what strict JSON forbids but `jsonc-parser` accepts. Only meaningful up to the first
/// syntax error `jsonc-parser` reports (after that the token stream may be out of step).
fn prescan(text: &str) -> Vec<Lexical> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'"' => break,
                        // Skips the escaped byte; the characters scanned for are all ASCII, so
                        // landing inside a multi-byte character is harmless.
                        b'\\' => i += 1,
                        c if c < 0x20 => out.push(Lexical::ControlChar {
                            offset: i,
                            ch: char::from(c),
                        }),
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                if b == b'-' {
                    i += 1;
                }
                let digits_start = i;
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                if i - digits_start > 1 && bytes.get(digits_start) == Some(&b'0') {
                    out.push(Lexical::LeadingZero { start, end: i });
                }
                while bytes.get(i).is_some_and(|c| {
                    c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')
                }) {
                    i += 1;
                }
            }
            0x0B | 0x0C => {
                bad_space(&mut out, i, char::from(b));
                i += 1;
            }
            b if b >= 0x80 => {
                let ch = text.get(i..).and_then(|s| s.chars().next()).unwrap_or(' ');
                if ch.is_whitespace() || ch == '\u{FEFF}' {
                    bad_space(&mut out, i, ch);
                }
                i += ch.len_utf8().max(1);
            }
            _ => i += 1,
        }
    }
    out
}

/// Records a bad white-space character, once per character.
fn bad_space(out: &mut Vec<Lexical>, offset: usize, ch: char) {
    for issue in out.iter_mut() {
        if let Lexical::Whitespace { ch: c, count, .. } = issue
            && *c == ch
        {
            *count += 1;
            return;
        }
    }
    out.push(Lexical::Whitespace {
        offset,
        ch,
        count: 1,
    });
}

fn lexical_diagnostic(issue: &Lexical, lines: &LineIndex<'_>) -> Diagnostic {
    match issue {
        Lexical::ControlChar { offset, ch } => {
            let (what, help) = match ch {
                '\n' => (
                    "a line break".to_string(),
                    "a string must end on the line it starts; write `\\n` for a line break inside it, or close the string with `\"`",
                ),
                '\t' => ("a tab character".to_string(), "write the tab as `\\t`"),
                '\r' => (
                    "a carriage return".to_string(),
                    "a string must end on the line it starts; write `\\r` for a carriage return inside it",
                ),
                c => (
                    format!("the control character U+{:04X}", u32::from(*c)),
                    "delete it, or write it as a `\\u` escape",
                ),
            };
            Diagnostic::error(
                "json-control-character",
                lines.loc(*offset),
                format!("{what} is not allowed inside a JSON string"),
            )
            .with_len(1)
            .with_help(help)
        }
        Lexical::LeadingZero { start, end } => {
            let lexeme = lines.text().get(*start..*end).unwrap_or("0");
            let fixed = {
                let (sign, digits) = lexeme.strip_prefix('-').map_or(("", lexeme), |d| ("-", d));
                let trimmed = digits.trim_start_matches('0');
                format!("{sign}{}", if trimmed.is_empty() { "0" } else { trimmed })
            };
            Diagnostic::error(
                "json-leading-zero",
                lines.loc(*start),
                format!("the number `{lexeme}` has a leading zero, which JSON does not allow"),
            )
            .with_len(end.saturating_sub(*start))
            .with_help(format!(
                "write `{fixed}`, or `\"{lexeme}\"` if the zeros matter (a string keeps them)"
            ))
        }
        Lexical::Whitespace { offset, ch, count } => {
            let more = match count {
                1 => String::new(),
                n => format!(" (it occurs {n} times in the text)"),
            };
            let (message, help) = if *ch == '\u{FEFF}' {
                (
                    "the text contains a byte order mark (U+FEFF)".to_string(),
                    format!("save the policy as UTF-8 without a byte order mark{more}"),
                )
            } else {
                let name = match ch {
                    '\u{A0}' => "a no-break space (U+00A0)".to_string(),
                    c => format!("the white-space character U+{:04X}", u32::from(*c)),
                };
                (
                    format!("{name} is not allowed in JSON"),
                    format!(
                        "between values JSON allows only spaces, tabs and line breaks; replace it with a space{more}"
                    ),
                )
            };
            Diagnostic::error("json-whitespace", lines.loc(*offset), message)
                .with_len(ch.len_utf8())
                .with_help(help)
        }
    }
}

/// The text of the first character at `offset`, for messages.
/// The bare word (letters, digits, `_`, `-`) starting with a letter at `offset`, if any.
fn word_at(text: &str, offset: usize) -> Option<&str> {
    let rest = text.get(offset..)?;
    if !rest.chars().next().is_some_and(char::is_alphabetic) {
        return None;
    }
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    rest.get(..end)
}

fn char_at(text: &str, offset: usize) -> String {
    text.get(offset..)
        .and_then(|s| s.chars().next())
        .map_or_else(String::new, String::from)
}

/// Turns a `jsonc-parser` error into a diagnostic a policy author understands.
fn syntax_diagnostic(err: &ParseError, lines: &LineIndex<'_>) -> Diagnostic {
    let text = lines.text();
    let range = err.range();
    let loc = lines.loc(range.start);
    let len = range.end.saturating_sub(range.start);
    let found = text.get(range.start..range.end).unwrap_or("");
    let first = char_at(text, range.start);
    let d = |code, message: String, help: &str| {
        let d = Diagnostic::error(code, loc, message).with_len(len);
        if help.is_empty() {
            d
        } else {
            d.with_help(help)
        }
    };
    use ParseErrorKind as K;
    match err.kind() {
        K::CommentsNotAllowed | K::UnterminatedCommentBlock => d(
            "json-comment",
            "comments are not allowed in IAM policy JSON".into(),
            "IAM reads policies as plain JSON; delete the comment (a `Sid` can name a statement)",
        ),
        K::TrailingCommasNotAllowed => {
            let closer = text
                .get(range.end..)
                .and_then(|s| s.trim_start().chars().next())
                .map_or_else(|| "bracket".to_string(), |c| format!("`{c}`"));
            d(
                "json-trailing-comma",
                format!("trailing comma before the closing {closer}"),
                "JSON does not allow a comma after the last entry; delete it",
            )
        }
        K::ExpectedComma => d(
            "json-missing-comma",
            "expected a comma before the next value".into(),
            "separate entries of objects and arrays with `,`",
        ),
        K::SingleQuotedStringsNotAllowed => d(
            "json-single-quote",
            "strings must be in double quotes".into(),
            "write `\"text\"` instead of `'text'`",
        ),
        K::ExpectedStringObjectProperty => d(
            "json-unquoted-key",
            format!("the object key `{found}` is not in double quotes"),
            "JSON object keys are strings: write `\"Key\": value`",
        ),
        K::ExpectedColonAfterObjectKey => d(
            "json-syntax",
            "expected `:` after the object key".into(),
            "write each entry of an object as `\"key\": value`",
        ),
        K::ExpectedObjectValue => d("json-syntax", "expected a value after `:`".into(), ""),
        K::MultipleRootJsonValues => d(
            "json-trailing-text",
            "unexpected text after the end of the JSON document".into(),
            "a policy is exactly one JSON object; delete what follows its closing `}`, or check for an extra `}` or `]` earlier",
        ),
        K::UnexpectedCloseBrace | K::UnexpectedCloseBracket => d(
            "json-syntax",
            format!("unexpected `{first}`"),
            "a value is missing before it, or it closes something that was never opened",
        ),
        K::UnexpectedComma => d(
            "json-syntax",
            "unexpected `,`".into(),
            "a value is missing before this comma, or the comma is extra",
        ),
        K::UnexpectedColon => d(
            "json-syntax",
            "unexpected `:`".into(),
            "`\"key\": value` pairs must be inside an object `{ … }`",
        ),
        K::UnexpectedTokenInObject => {
            if first == ":" {
                d(
                    "json-syntax",
                    "unexpected `:` after a value; expected `,` or `}`".into(),
                    "each key has one value; to nest keys write `\"Outer\": {\"Inner\": value}`",
                )
            } else {
                d(
                    "json-syntax",
                    format!("expected a key in double quotes or `}}`, found `{first}`"),
                    "",
                )
            }
        }
        K::UnexpectedWord | K::UnexpectedToken if word_at(text, range.start).is_some() => {
            let found = word_at(text, range.start).unwrap_or_default();
            let help = match found {
                "True" | "TRUE" => "JSON booleans are lowercase: write `true`".to_string(),
                "False" | "FALSE" => "JSON booleans are lowercase: write `false`".to_string(),
                "None" | "NULL" | "Null" | "nil" => "JSON writes null as `null`".to_string(),
                _ => format!("if `{found}` is text, put it in double quotes: `\"{found}\"`"),
            };
            d("json-syntax", format!("unexpected word `{found}`"), &help)
        }
        K::UnexpectedToken => {
            if text
                .get(range.start..)
                .is_some_and(|s| s.starts_with("..."))
            {
                d(
                    "json-syntax",
                    "`...` is not JSON".into(),
                    "the text seems to elide part of the policy; replace `...` with the real content",
                )
            } else if first == "$" || first == "<" || first == "{" {
                d(
                    "json-syntax",
                    format!("unexpected `{first}`"),
                    "a template placeholder must be replaced, or put inside a string in double quotes",
                )
            } else if first.chars().next().is_some_and(char::is_control) {
                d(
                    "json-control-character",
                    format!(
                        "the control character U+{:04X} is not allowed here",
                        first.chars().next().map_or(0, u32::from)
                    ),
                    "delete it",
                )
            } else {
                d("json-syntax", format!("unexpected character `{first}`"), "")
            }
        }
        K::UnterminatedArray => d(
            "json-unclosed",
            "this array is never closed".into(),
            "add the missing `]`",
        ),
        K::UnterminatedObject => d(
            "json-unclosed",
            "this object is never closed".into(),
            "add the missing `}`",
        ),
        K::NestingDepthExceeded => d(
            "json-too-deep",
            "the JSON is nested too deeply".into(),
            "IAM policies nest only a few levels; this document cannot be a policy",
        ),
        K::HexadecimalNumbersNotAllowed
        | K::UnaryPlusNumbersNotAllowed
        | K::BareDecimalPointNumbersNotAllowed
        | K::NonFiniteNumbersNotAllowed
        | K::ExpectedDigit
        | K::ExpectedDigitFollowingNegativeSign
        | K::ExpectedPlusMinusOrDigitInNumberLiteral => d(
            "json-number",
            format!("`{}` is not a valid JSON number", found.trim()),
            "write numbers like `10`, `-2.5` or `1e3`, or put the value in double quotes",
        ),
        K::String(kind) => string_diagnostic(kind, loc, len, text, range),
        // The enum may grow (`Custom` exists behind a feature); keep a readable fallback.
        #[allow(unreachable_patterns)]
        _ => d("json-syntax", lowercase_first(&err.kind().to_string()), ""),
    }
}

fn string_diagnostic(
    kind: &ParseStringErrorKind,
    loc: Loc,
    len: usize,
    text: &str,
    range: Range,
) -> Diagnostic {
    use ParseStringErrorKind as S;
    let escape = text
        .get(range.start..)
        .map(|s| s.chars().take(2).collect::<String>())
        .unwrap_or_default();
    let (message, help) = match kind {
        S::UnterminatedStringLiteral => (
            "this string is never closed".to_string(),
            "add the closing `\"`".to_string(),
        ),
        S::InvalidEscapeInDoubleQuoteString => (
            "`\\'` is not a JSON escape".to_string(),
            "write `'` without the backslash".to_string(),
        ),
        S::ExpectedFourHexDigits | S::InvalidUnicodeEscapeSequence(_) => (
            "invalid `\\u` escape".to_string(),
            "write `\\u` followed by four hex digits, with surrogate pairs for characters above U+FFFF".to_string(),
        ),
        _ => (
            format!("invalid escape sequence `{escape}`"),
            "JSON strings allow only `\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t` and `\\uXXXX`; write a backslash as `\\\\`".to_string(),
        ),
    };
    Diagnostic::error("json-string", loc, message)
        .with_len(len)
        .with_help(help)
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_lowercase().chain(chars).collect::<String>()
    })
}

/// Parses strict JSON without the duplicate-key check. The value is `Some` whenever the text
/// has a JSON structure (possibly with lexical errors, already reported in the diagnostics), so
/// callers can keep validating and report everything at once.
pub(crate) fn parse_strict<'t>(
    text: &'t str,
    lines: &LineIndex<'t>,
) -> (Option<Value<'t>>, Diagnostics) {
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let result = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options);
    let lexical = prescan(text);
    let mut diags = Diagnostics::new();
    match result {
        Ok(parsed) => {
            for issue in &lexical {
                diags.push(lexical_diagnostic(issue, lines));
            }
            if parsed.value.is_none() {
                diags.push(
                    Diagnostic::error("json-empty", lines.loc(text.len()), "the document is empty")
                        .with_help(
                            "a policy is a JSON object: `{\"Version\": \"2012-10-17\", \"Statement\": [ … ]}`",
                        ),
                );
            }
            (parsed.value, diags)
        }
        Err(err) => {
            let at = err.range().start;
            // Lexical issues before the point where the parser gave up are real. That point
            // is `at`, except for unclosed constructs, which are reported where they start.
            let limit = match err.kind() {
                ParseErrorKind::UnterminatedObject | ParseErrorKind::UnterminatedArray => {
                    text.len()
                }
                // The first raw line break in an unclosed string shows where `"` is missing.
                ParseErrorKind::String(ParseStringErrorKind::UnterminatedStringLiteral) => lexical
                    .iter()
                    .find(|l| matches!(l, Lexical::ControlChar { .. }) && l.offset() > at)
                    .map_or(at, |l| l.offset() + 1),
                _ => at,
            };
            // A leading zero makes jsonc-parser see two numbers and report a missing comma (or
            // a second root value) inside the number; the lexical error explains it better.
            // Likewise a byte order mark or odd space where the parser stopped.
            let explained = lexical.iter().any(|l| match l {
                Lexical::LeadingZero { start, end } => (*start..=*end).contains(&at),
                other => other.offset() == at,
            });
            for issue in &lexical {
                if explained || issue.offset() < limit {
                    diags.push(lexical_diagnostic(issue, lines));
                }
            }
            if !explained {
                diags.push(syntax_diagnostic(&err, lines));
            }
            (None, diags)
        }
    }
}

/// Reports every key that appears twice in one object, anywhere under `value`.
pub(crate) fn check_duplicate_keys(
    value: &Value<'_>,
    lines: &LineIndex<'_>,
    diags: &mut Diagnostics,
) {
    // Explicit stack: the parser bounds the depth, but a loop costs nothing.
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(obj) => {
                let mut seen: HashMap<&str, Range> = HashMap::new();
                for prop in &obj.properties {
                    let (name, range) = prop_name(&prop.name);
                    if let Some(first) = seen.get(name) {
                        let first = lines.loc(first.start);
                        diags.push(
                            Diagnostic::error(
                                "duplicate-key",
                                lines.loc(range.start),
                                format!("duplicate key `{name}`"),
                            )
                            .with_len(range.end.saturating_sub(range.start))
                            .with_help(format!(
                                "`{name}` is already set at line {}, column {}; IAM rejects an object that repeats a key, so merge the two or delete one",
                                first.line, first.col
                            )),
                        );
                    } else {
                        seen.insert(name, range);
                    }
                }
                // Push in reverse so the walk (and thus the report) follows document order.
                stack.extend(obj.properties.iter().rev().map(|p| &p.value));
            }
            Value::Array(arr) => stack.extend(arr.elements.iter().rev()),
            _ => {}
        }
    }
}

/// An object key's text and range.
pub(crate) fn prop_name<'a, 'v>(name: &'v ObjectPropName<'a>) -> (&'v str, Range) {
    match name {
        ObjectPropName::String(s) => (s.value.as_ref(), s.range),
        ObjectPropName::Word(w) => (w.value, w.range),
    }
}
