//! Text to CST: the lalrpop parser over the logos lexer, with error recovery, and the
//! diagnostics for lexical and syntax errors.

use crate::diagnostics::Diagnostic;
use crate::model::Loc;
use crate::model::operator::edit_distance;
use crate::text::MAX_BLOCK_DEPTH;
use crate::text::cst::{Item, Sp};
use crate::text::grammar::FileParser;
use crate::text::lexer::{KEYWORDS, LexError, LexErrorAt, Lexer, Token};
use lalrpop_util::ParseError;

/// A token stream that turns lexical errors into diagnostics and keeps going: an unterminated
/// string becomes a string, an unknown character is skipped.
struct Recovering<'a> {
    text: &'a str,
    inner: Lexer<'a>,
    diags: Vec<Diagnostic>,
    /// Positions of `{` not yet closed.
    open: Vec<usize>,
    /// Set once the blocks nest deeper than [`MAX_BLOCK_DEPTH`]: the stream has ended.
    stopped: bool,
    /// A token to return before reading on (the `{` after an unterminated string).
    queued: Option<(usize, Token<'a>, usize)>,
}

impl<'a> Iterator for Recovering<'a> {
    type Item = Result<(usize, Token<'a>, usize), LexErrorAt>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.stopped {
            return None;
        }
        loop {
            let next = match self.queued.take() {
                Some(t) => Ok(t),
                None => self.inner.next()?,
            };
            match next {
                Ok((lo, t, hi)) => {
                    match t {
                        // The tree the parser builds, and every walk over it, is as deep as
                        // the blocks: refuse a depth no organization needs before the stack
                        // runs out (found by the limits test: 100,000 nested `ou x {`).
                        Token::LBrace if self.open.len() >= MAX_BLOCK_DEPTH => {
                            self.diags.push(
                                Diagnostic::error(
                                    "nested-too-deep",
                                    Loc::at(self.text, lo),
                                    format!(
                                        "blocks are nested too deeply (more than {MAX_BLOCK_DEPTH} levels)"
                                    ),
                                )
                                .with_len(1)
                                .with_help(
                                    "an organization nests its root, at most five levels of OUs, an account, a principal and its policies",
                                ),
                            );
                            self.stopped = true;
                            return None;
                        }
                        Token::LBrace => self.open.push(lo),
                        Token::RBrace => {
                            self.open.pop();
                        }
                        _ => {}
                    }
                    return Some(Ok((lo, t, hi)));
                }
                Err(e) => {
                    let loc = Loc::at(self.text, e.lo);
                    let slice = self.text.get(e.lo..e.hi).unwrap_or("");
                    match &e.error {
                        LexError::UnterminatedString => {
                            self.diags.push(
                                Diagnostic::error("unterminated-string", loc, "unterminated string")
                                    .with_len(slice.len())
                                    .with_help("add the closing `\"` on the same line (a string cannot span lines)"),
                            );
                            let content = slice.get(1..).unwrap_or("");
                            // `"prod {`: the string most likely ends before the block it
                            // runs into, which is read as a block.
                            if let Some(before) = content.trim_end().strip_suffix('{')
                                && before.ends_with(char::is_whitespace)
                            {
                                let brace = e.lo + 1 + content.trim_end().len() - 1;
                                self.queued = Some((brace, Token::LBrace, brace + 1));
                                let content = before.trim_end().to_string();
                                return Some(Ok((e.lo, Token::Str(content), brace)));
                            }
                            return Some(Ok((e.lo, Token::Str(content.to_string()), e.hi)));
                        }
                        LexError::BadEscape(esc) => {
                            self.diags.push(
                                Diagnostic::error("invalid-escape", loc, format!("unknown escape `{esc}` in a string"))
                                    .with_len(slice.len())
                                    .with_help("the escapes are `\\\"`, `\\\\`, `\\n`, `\\r`, `\\t` and `\\u{…}`"),
                            );
                            let content = slice.get(1..slice.len().saturating_sub(1)).unwrap_or("");
                            return Some(Ok((e.lo, Token::Str(content.to_string()), e.hi)));
                        }
                        LexError::UnterminatedComment => {
                            self.diags.push(
                                Diagnostic::error(
                                    "unterminated-comment",
                                    loc,
                                    "unterminated comment",
                                )
                                .with_len(2)
                                .with_help("close the comment with `*/`"),
                            );
                            return None;
                        }
                        LexError::UnexpectedChar => {
                            let ch = slice.chars().next().unwrap_or(' ');
                            let help = match ch {
                                '\'' => "strings are written in double quotes: `\"…\"`",
                                ';' => "statements need no terminator: remove the `;`",
                                ':' => {
                                    "a bare word with a colon needs a word before it; quote the text instead"
                                }
                                _ => "quote the text if it is a value or a name",
                            };
                            self.diags.push(
                                Diagnostic::error(
                                    "unexpected-character",
                                    loc,
                                    format!("unexpected character `{ch}`"),
                                )
                                .with_len(ch.len_utf8())
                                .with_help(help),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// How an expected-token name from the grammar reads in a message.
fn describe_expected(e: &str) -> String {
    match e {
        "STR" => "a string".into(),
        "NUM" => "a number".into(),
        "IDENT" => "a name".into(),
        "NAME" => "a word with a colon such as `s3:GetObject`".into(),
        "OPENCOMMENT" => "a comment".into(),
        other => format!("`{}`", other.trim_matches('"')),
    }
}

fn expected_list(expected: &[String]) -> String {
    // A block's `{` is what is missing most often: name it first.
    let mut sorted: Vec<&String> = expected.iter().collect();
    sorted.sort_by_key(|e| e.as_str() != "\"{\"");
    let mut items: Vec<String> = sorted
        .into_iter()
        .filter(|e| e.as_str() != "OPENCOMMENT")
        .map(|e| describe_expected(e))
        .collect();
    items.dedup();
    if items.len() > 8 {
        items.truncate(8);
        items.push("…".into());
    }
    match items.len() {
        0 => "nothing more".into(),
        1 => items.remove(0),
        _ => {
            let last = items.pop().unwrap_or_default();
            format!("{} or {last}", items.join(", "))
        }
    }
}

/// A keyword close to `word`, among those the parser expected (or all keywords).
fn keyword_suggestion(word: &str, expected: &[String]) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    let wanted: Vec<&str> = expected.iter().map(|e| e.trim_matches('"')).collect();
    let best = |only_expected: bool| {
        KEYWORDS
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| k.chars().all(|c| c.is_ascii_alphabetic() || c == '_'))
            .filter(|k| !only_expected || wanted.contains(k))
            .map(|k| (edit_distance(k, &lower), k))
            .filter(|(d, k)| *d <= 2 && *d < k.len().max(2) && (*d > 0 || word != *k))
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| k)
    };
    best(true).or_else(|| best(false))
}

fn parse_error_diagnostic(
    text: &str,
    err: &ParseError<usize, Token<'_>, LexErrorAt>,
    open: &[usize],
) -> Diagnostic {
    match err {
        ParseError::InvalidToken { location } => {
            Diagnostic::error("syntax", Loc::at(text, *location), "invalid token")
        }
        ParseError::UnrecognizedEof { location, expected } => {
            if let Some(brace) = open.last() {
                let wants_brace = expected.iter().any(|e| e == "\"}\"");
                let line = Loc::at(text, *brace).line;
                if wants_brace {
                    return Diagnostic::error(
                        "missing-brace",
                        Loc::at(text, *brace),
                        "this `{` is never closed",
                    )
                    .with_len(1)
                    .with_help(format!(
                        "add a `}}` to close the block opened on line {line}; the file ends first"
                    ));
                }
            }
            Diagnostic::error(
                "unexpected-eof",
                Loc::at(text, *location),
                "unexpected end of file",
            )
            .with_help(format!("expected {}", expected_list(expected)))
        }
        ParseError::UnrecognizedToken {
            token: (lo, tok, hi),
            expected,
        } => {
            let loc = Loc::at(text, *lo);
            let mut d = Diagnostic::error("syntax", loc, format!("unexpected {tok}"))
                .with_len(hi.saturating_sub(*lo));
            let suggestion = match tok {
                Token::Ident(w) | Token::Name(w) => keyword_suggestion(w, expected),
                _ => None,
            };
            d = match (suggestion, tok) {
                (Some(k), Token::Ident(w) | Token::Name(w)) => {
                    d.message = format!("unknown keyword `{w}`");
                    d.code = "unknown-keyword";
                    d.with_help(format!("did you mean `{k}`?"))
                }
                _ => {
                    if matches!(tok, Token::RBrace) && open.is_empty() {
                        d.message = "unmatched `}`".into();
                        d.with_help("remove it, or add the `{` it should close")
                    } else {
                        d.with_help(format!("expected {}", expected_list(expected)))
                    }
                }
            };
            d
        }
        ParseError::ExtraToken {
            token: (lo, tok, hi),
        } => Diagnostic::error("syntax", Loc::at(text, *lo), format!("unexpected {tok}"))
            .with_len(hi.saturating_sub(*lo)),
        ParseError::User { error } => Diagnostic::error(
            "syntax",
            Loc::at(text, error.lo),
            format!("{:?}", error.error),
        ),
    }
}

/// Parses `text` to the CST. Returns the items read (with `Item::Error` where the parser
/// recovered) and every lexical and syntax error, in source order.
pub(crate) fn parse_cst(text: &str) -> (Vec<Sp<Item>>, Vec<Diagnostic>) {
    let mut lexer = Recovering {
        text,
        inner: Lexer::new(text),
        diags: Vec::new(),
        open: Vec::new(),
        stopped: false,
        queued: None,
    };
    let mut recovered = Vec::new();
    let result = FileParser::new().parse(&mut recovered, &mut lexer);
    let mut diags = std::mem::take(&mut lexer.diags);
    let open = lexer.open.clone();
    for r in &recovered {
        diags.push(parse_error_diagnostic(text, &r.error, &open));
    }
    let items = match result {
        Ok(items) => items,
        Err(e) => {
            diags.push(parse_error_diagnostic(text, &e, &open));
            Vec::new()
        }
    };
    diags.sort_by_key(|d| d.loc.offset);
    diags.dedup_by(|a, b| a.loc == b.loc && a.message == b.message);
    (items, diags)
}
