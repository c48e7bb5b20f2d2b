//! The tokens of the Gavel text language, produced by a `logos` lexer.

use logos::Logos;
use std::fmt;

/// Why a piece of text is not a token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LexError {
    /// A character that starts no token.
    #[default]
    UnexpectedChar,
    /// A string that runs to the end of the line.
    UnterminatedString,
    /// A backslash escape that is not `\"`, `\\`, `\n`, `\r`, `\t` or `\u{…}`.
    BadEscape(String),
    /// A `/*` comment that is never closed.
    UnterminatedComment,
}

/// One token. Keywords are reserved: a name that is a keyword must be quoted.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(skip r"[ \t\r\n\f\u{feff}]+")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
#[logos(skip r"/\*([^*]|\*+[^*/])*\*+/")]
#[logos(error = LexError)]
#[allow(
    missing_docs,
    reason = "each variant is the keyword or punctuation it names"
)]
pub enum Token<'input> {
    #[token("allow")]
    Allow,
    #[token("deny")]
    Deny,
    #[token("sid")]
    Sid,
    #[token("not")]
    Not,
    #[token("on")]
    On,
    #[token("for")]
    For,
    #[token("when")]
    When,
    #[token("and")]
    And,
    #[token("is")]
    Is,
    #[token("if")]
    If,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("version")]
    Version,
    #[token("id")]
    Id,
    #[token("organization")]
    Organization,
    #[token("management")]
    Management,
    #[token("root")]
    Root,
    #[token("ou")]
    Ou,
    #[token("account")]
    Account,
    #[token("scp")]
    Scp,
    #[token("rcp")]
    Rcp,
    #[token("attach")]
    Attach,
    #[token("import")]
    Import,
    #[token("managed")]
    Managed,
    #[token("mfa")]
    Mfa,
    #[token("user")]
    User,
    #[token("group")]
    Group,
    #[token("role")]
    Role,
    #[token("policy")]
    Policy,
    #[token("inline")]
    Inline,
    #[token("trust")]
    Trust,
    #[token("boundary")]
    Boundary,
    #[token("tags")]
    Tags,
    #[token("max_session")]
    MaxSession,
    #[token("resource")]
    Resource,
    #[token("path")]
    Path,
    #[token("unique_id")]
    UniqueId,
    #[token("in")]
    In,
    #[token("outside")]
    Outside,
    #[token("arn")]
    Arn,
    #[token("default")]
    Default,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(",")]
    Comma,
    #[token("=")]
    Equals,
    #[token("*")]
    Star,
    /// A quoted string, escapes resolved.
    #[regex(r#""([^"\\\n]|\\[^\n])*""#, unescape, allow_greedy = true)]
    #[regex(r#""([^"\\\n]|\\[^\n])*"#, unterminated, allow_greedy = true)]
    Str(String),
    /// `/*` without its `*/`.
    #[regex(r"/\*", open_comment)]
    OpenComment,
    /// A decimal number, kept as written (`1.50`, `-3`, `111122223333`).
    #[regex(r"-?[0-9]+(\.[0-9]+)?")]
    Number(&'input str),
    /// A bare word: `Developers`, `ip_in`, `ou-ex01-wkld0001`.
    #[regex(r"[A-Za-z_][A-Za-z0-9_.@+-]*")]
    Ident(&'input str),
    /// A bare word with a colon: actions, condition keys, bare ARNs (`s3:GetObject`,
    /// `aws:RequestTag/team`, `ForAnyValue:StringLike`).
    #[regex(r"[A-Za-z0-9_*?.-]+:[A-Za-z0-9_*?./:@+-]*")]
    Name(&'input str),
}

fn unterminated<'a>(_: &mut logos::Lexer<'a, Token<'a>>) -> Result<String, LexError> {
    Err(LexError::UnterminatedString)
}

fn open_comment<'a>(_: &mut logos::Lexer<'a, Token<'a>>) -> Result<(), LexError> {
    Err(LexError::UnterminatedComment)
}

/// Resolves the escapes of a string token.
fn unescape<'a>(lex: &mut logos::Lexer<'a, Token<'a>>) -> Result<String, LexError> {
    let slice = lex.slice();
    let inner = slice.get(1..slice.len().saturating_sub(1)).unwrap_or("");
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let rest = chars.as_str();
                let code = rest
                    .strip_prefix('{')
                    .and_then(|r| r.split_once('}'))
                    .and_then(|(hex, _)| {
                        u32::from_str_radix(hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .map(|c| (c, hex.len() + 2))
                    });
                match code {
                    Some((ch, used)) => {
                        out.push(ch);
                        chars = rest.get(used..).unwrap_or("").chars();
                    }
                    None => return Err(LexError::BadEscape("\\u".into())),
                }
            }
            Some(other) => return Err(LexError::BadEscape(format!("\\{other}"))),
            None => return Err(LexError::BadEscape("\\".into())),
        }
    }
    Ok(out)
}

impl fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Str(s) => write!(f, "string {s:?}"),
            Token::Number(n) => write!(f, "number `{n}`"),
            Token::Ident(s) | Token::Name(s) => write!(f, "`{s}`"),
            other => write!(f, "`{}`", keyword_text(other)),
        }
    }
}

/// The source text of a keyword or punctuation token.
pub(crate) fn keyword_text(t: &Token<'_>) -> &'static str {
    KEYWORDS
        .iter()
        .find(|(_, k)| std::mem::discriminant(k) == std::mem::discriminant(t))
        .map_or("?", |(s, _)| s)
}

/// Every keyword and punctuation token with its text.
pub(crate) const KEYWORDS: &[(&str, Token<'static>)] = &[
    ("allow", Token::Allow),
    ("deny", Token::Deny),
    ("sid", Token::Sid),
    ("not", Token::Not),
    ("on", Token::On),
    ("for", Token::For),
    ("when", Token::When),
    ("and", Token::And),
    ("is", Token::Is),
    ("if", Token::If),
    ("true", Token::True),
    ("false", Token::False),
    ("version", Token::Version),
    ("id", Token::Id),
    ("organization", Token::Organization),
    ("management", Token::Management),
    ("root", Token::Root),
    ("ou", Token::Ou),
    ("account", Token::Account),
    ("scp", Token::Scp),
    ("rcp", Token::Rcp),
    ("attach", Token::Attach),
    ("import", Token::Import),
    ("managed", Token::Managed),
    ("mfa", Token::Mfa),
    ("user", Token::User),
    ("group", Token::Group),
    ("role", Token::Role),
    ("policy", Token::Policy),
    ("inline", Token::Inline),
    ("trust", Token::Trust),
    ("boundary", Token::Boundary),
    ("tags", Token::Tags),
    ("max_session", Token::MaxSession),
    ("resource", Token::Resource),
    ("path", Token::Path),
    ("unique_id", Token::UniqueId),
    ("in", Token::In),
    ("outside", Token::Outside),
    ("arn", Token::Arn),
    ("default", Token::Default),
    ("{", Token::LBrace),
    ("}", Token::RBrace),
    ("[", Token::LBracket),
    ("]", Token::RBracket),
    (",", Token::Comma),
    ("=", Token::Equals),
    ("*", Token::Star),
];

/// True when `word` is a reserved keyword.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|(k, _)| *k == word)
}

/// A `(start, token, end)` triple or a lexing error with its span.
pub type Spanned<'a> = Result<(usize, Token<'a>, usize), (usize, LexError, usize)>;

/// The lexer as lalrpop consumes it: tokens with byte spans.
pub struct Lexer<'a> {
    inner: logos::SpannedIter<'a, Token<'a>>,
}

impl<'a> Lexer<'a> {
    /// A lexer over `text`.
    pub fn new(text: &'a str) -> Lexer<'a> {
        Lexer {
            inner: Token::lexer(text).spanned(),
        }
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Result<(usize, Token<'a>, usize), LexErrorAt>;
    fn next(&mut self) -> Option<Self::Item> {
        let (tok, span) = self.inner.next()?;
        Some(match tok {
            Ok(t) => Ok((span.start, t, span.end)),
            Err(e) => Err(LexErrorAt {
                error: e,
                lo: span.start,
                hi: span.end,
            }),
        })
    }
}

/// A lexing error and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexErrorAt {
    /// What is wrong.
    pub error: LexError,
    /// Start byte.
    pub lo: usize,
    /// End byte.
    pub hi: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexes_words_names_strings() {
        let toks: Vec<_> = Lexer::new(r#"allow s3:Get* on "a\"b" 1.50 mia // c"#)
            .filter_map(Result::ok)
            .map(|(_, t, _)| t)
            .collect();
        assert_eq!(
            toks,
            vec![
                Token::Allow,
                Token::Name("s3:Get*"),
                Token::On,
                Token::Str("a\"b".into()),
                Token::Number("1.50"),
                Token::Ident("mia"),
            ]
        );
        let bad: Vec<_> = Lexer::new("\"abc\n").collect();
        assert!(matches!(
            bad.first(),
            Some(Err(LexErrorAt {
                error: LexError::UnterminatedString,
                ..
            }))
        ));
    }
}
