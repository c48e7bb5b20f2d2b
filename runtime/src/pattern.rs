//! Strings with wildcards and policy variables (spec §3, §5).

use std::fmt;

/// One piece of a policy string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// Literal policy text; in glob contexts its `*` and `?` are wildcards.
    Lit(String),
    /// A policy variable `${key}` or `${key, 'default'}` (spec §5.1).
    Var {
        /// The key as written; looked up case-insensitively.
        key: String,
        /// The default text, used when the key has no single value.
        default: Option<String>,
    },
    /// `${*}`, `${?}` or `${$}`: a literal character that is never a wildcard.
    Escaped(char),
    /// Literal text that is never a wildcard: a variable's value folded in at compile time
    /// (`lower::fold`). Never produced by a front end.
    Text(String),
}

/// A policy string split into literal text and variables. In `2008-10-17` policies (and
/// those without `Version`) it is always one literal part (spec §2.2).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Template {
    /// The pieces, in order.
    pub parts: Vec<Part>,
}

pub use crate::glob::Tok;

impl Template {
    /// A template that is all literal text.
    pub fn literal(text: &str) -> Template {
        if text.is_empty() {
            return Template { parts: Vec::new() };
        }
        Template {
            parts: vec![Part::Lit(text.to_string())],
        }
    }

    /// Parses `${…}` variables out of `text` (only call for `2012-10-17` policies).
    /// A `${` that does not open a well-formed variable stays literal text (spec §5.1).
    pub fn parse(text: &str) -> Template {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                break;
            };
            let inner = &after[..end];
            let part = match inner {
                "*" => Some(Part::Escaped('*')),
                "?" => Some(Part::Escaped('?')),
                "$" => Some(Part::Escaped('$')),
                _ => parse_variable(inner),
            };
            match part {
                Some(p) => {
                    lit.push_str(&rest[..start]);
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    parts.push(p);
                    rest = &after[end + 1..];
                }
                None => {
                    lit.push_str(&rest[..start + 2]);
                    rest = after;
                }
            }
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Template { parts }
    }

    /// True when the template has a variable (not counting `${*}`-style escapes).
    pub fn has_variables(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Var { .. }))
    }

    /// True when the template has no variables nor escapes.
    pub fn is_literal(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Lit(_)))
    }

    /// The literal text when the template is all literal.
    pub fn as_literal(&self) -> Option<String> {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(l) => s.push_str(l),
                _ => return None,
            }
        }
        Some(s)
    }

    /// The policy text this template was read from (canonical spacing for defaults).
    pub fn source(&self) -> String {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(l) => s.push_str(l),
                Part::Escaped(c) => {
                    s.push_str("${");
                    s.push(*c);
                    s.push('}');
                }
                Part::Text(t) => {
                    // Written so that it reads back as the same literal characters.
                    for c in t.chars() {
                        match c {
                            '*' | '?' | '$' => {
                                s.push_str("${");
                                s.push(c);
                                s.push('}');
                            }
                            c => s.push(c),
                        }
                    }
                }
                Part::Var { key, default } => {
                    s.push_str("${");
                    s.push_str(key);
                    if let Some(d) = default {
                        s.push_str(", '");
                        s.push_str(d);
                        s.push('\'');
                    }
                    s.push('}');
                }
            }
        }
        s
    }

    /// Resolves variables with `lookup` (which returns the single value of a key, or `None`)
    /// and returns the tokens to match; `None` when a variable has no value and no default
    /// (spec §5.3). Inserted values and escapes are literal; only `Lit` text carries wildcards
    /// when `glob` is true.
    pub fn resolve(&self, glob: bool, lookup: &dyn Fn(&str) -> Option<String>) -> Option<Vec<Tok>> {
        let mut out = Vec::new();
        for p in &self.parts {
            match p {
                Part::Lit(l) => {
                    for c in l.chars() {
                        out.push(match c {
                            '*' if glob => Tok::Star,
                            '?' if glob => Tok::Quest,
                            c => Tok::Char(c),
                        });
                    }
                }
                Part::Escaped(c) => out.push(Tok::Char(*c)),
                Part::Text(t) => out.extend(t.chars().map(Tok::Char)),
                Part::Var { key, default } => {
                    let value = lookup(key).or_else(|| default.clone())?;
                    out.extend(value.chars().map(Tok::Char));
                }
            }
        }
        Some(out)
    }

    /// Resolves to a plain string (no wildcards), `None` when a variable has no value.
    pub fn resolve_string(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        self.resolve(false, lookup).map(|toks| {
            toks.into_iter()
                .map(|t| match t {
                    Tok::Char(c) => c,
                    Tok::Star => '*',
                    Tok::Quest => '?',
                })
                .collect()
        })
    }

    /// The variables' keys, as written.
    pub fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source())
    }
}

/// Parses the inside of `${…}` as `key` or `key, 'default'`.
fn parse_variable(inner: &str) -> Option<Part> {
    let (key, default) = match inner.split_once(',') {
        None => (inner, None),
        Some((k, d)) => {
            let d = d.trim_start_matches(' ');
            let d = d.strip_prefix('\'')?.strip_suffix('\'')?;
            if d.contains('\'') {
                return None;
            }
            (k, Some(d.to_string()))
        }
    };
    let valid_key = !key.is_empty()
        && key
            .chars()
            .all(|c| !c.is_whitespace() && !matches!(c, '{' | '}' | '$' | ',' | '\'' | '"'));
    if !valid_key {
        return None;
    }
    Some(Part::Var {
        key: key.to_string(),
        default,
    })
}

/// One entry of `Action` / `NotAction` (spec §3.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ActionPattern {
    /// `"*"`: every action.
    Any,
    /// `prefix:pattern`, both lower-cased; the pattern may hold `*` and `?`.
    Named {
        /// The service prefix, lower-cased.
        service: String,
        /// The action-name glob, lower-cased.
        name: String,
        /// The text as written.
        raw: String,
    },
    /// An entry that can never match (lenient mode only: `*:Get*`, no colon, empty name).
    Never {
        /// The text as written.
        raw: String,
    },
}

impl ActionPattern {
    /// Reads an action entry. Entries that AWS never matches become `Never`; the front end
    /// decides whether to report them (spec §2.5 item 9, A-8).
    pub fn parse(raw: &str) -> ActionPattern {
        if raw == "*" {
            return ActionPattern::Any;
        }
        let never = || ActionPattern::Never {
            raw: raw.to_string(),
        };
        let Some((service, name)) = raw.split_once(':') else {
            return never();
        };
        let bad_service = service.is_empty()
            || service.contains(['*', '?'])
            || !service
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
        let bad_name =
            name.is_empty() || name.contains(':') || name.chars().any(char::is_whitespace);
        if bad_service || bad_name {
            return never();
        }
        ActionPattern::Named {
            service: service.to_ascii_lowercase(),
            name: name.to_lowercase(),
            raw: raw.to_string(),
        }
    }

    /// The text as written.
    pub fn raw(&self) -> &str {
        match self {
            ActionPattern::Any => "*",
            ActionPattern::Named { raw, .. } | ActionPattern::Never { raw } => raw,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_variables_defaults_and_escapes() {
        let t = Template::parse(
            "arn:aws:s3:::b-${aws:PrincipalTag/team, 'company-wide'}/${*}x${?}${$}",
        );
        assert_eq!(
            t.parts,
            vec![
                Part::Lit("arn:aws:s3:::b-".into()),
                Part::Var {
                    key: "aws:PrincipalTag/team".into(),
                    default: Some("company-wide".into())
                },
                Part::Lit("/".into()),
                Part::Escaped('*'),
                Part::Lit("x".into()),
                Part::Escaped('?'),
                Part::Escaped('$'),
            ]
        );
        assert_eq!(Template::parse(&t.source()), t);
        // Any number of spaces after the comma.
        let t2 = Template::parse("${k,   'd'}");
        assert_eq!(
            t2.parts,
            vec![Part::Var {
                key: "k".into(),
                default: Some("d".into())
            }]
        );
        // Unclosed and malformed variables stay literal.
        assert!(Template::parse("a${aws:username").is_literal());
        assert!(Template::parse("a${}b").is_literal());
        assert!(Template::parse("${a b}").is_literal());
    }

    #[test]
    fn resolution_keeps_inserted_text_literal() {
        let t = Template::parse("home/${aws:username}/*");
        let toks = t
            .resolve(true, &|k| (k == "aws:username").then(|| "a*".to_string()))
            .unwrap_or_default();
        assert_eq!(
            toks,
            vec![
                Tok::Char('h'),
                Tok::Char('o'),
                Tok::Char('m'),
                Tok::Char('e'),
                Tok::Char('/'),
                Tok::Char('a'),
                Tok::Char('*'),
                Tok::Char('/'),
                Tok::Star
            ]
        );
        assert_eq!(t.resolve(true, &|_| None), None);
    }

    #[test]
    fn action_patterns() {
        assert_eq!(ActionPattern::parse("*"), ActionPattern::Any);
        assert!(
            matches!(ActionPattern::parse("IAM:Get*"), ActionPattern::Named { ref service, ref name, .. } if service == "iam" && name == "get*")
        );
        for bad in [
            "s3:",
            "s3",
            "*:Get*",
            " s3:Get",
            "s3:Get Object",
            "s3:a:b",
            ":x",
        ] {
            assert!(
                matches!(ActionPattern::parse(bad), ActionPattern::Never { .. }),
                "{bad}"
            );
        }
    }
}
