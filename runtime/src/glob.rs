//! Wildcard, resource and ARN matching (spec §3.1-§3.3, §4.6 ARN), shared by both evaluators.
//!
//! Every matcher here is one small automaton run over the text. A pattern is first turned into
//! a list of [`Step`]s (a literal character, "any one character", "any run of characters"; the
//! last two optionally barred from consuming `:`), and [`run`] simulates that list as an NFA: it
//! keeps the set of pattern positions that can have consumed the text read so far. That is
//! `O(pattern × text)` time for every pattern, hostile ones included (`a*a*a*…b`), where a
//! backtracking matcher would take exponential time.
//!
//! The three matchers differ only in how they build their steps:
//! * [`glob_match`] (action names, `StringLike`, ARN components): `*` any run, `?` any one character;
//! * [`resource_matches`]: the same after the pattern's fifth colon, but in the head `*` and `?`
//!   stop at `:` unless the `*` ends its segment (R3, A-10);
//! * [`arn_like`]: splits both sides into six components first, so no wildcard ever reaches
//!   across a component boundary.

/// A pattern character after variable resolution: what every matcher here consumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tok {
    /// A character that matches only itself.
    Char(char),
    /// `*`: any run of characters.
    Star,
    /// `?`: any one character.
    Quest,
}

impl Tok {
    /// Reads a glob written with `*` and `?` as wildcards (no escapes).
    pub fn glob(text: &str) -> Vec<Tok> {
        text.chars()
            .map(|c| match c {
                '*' => Tok::Star,
                '?' => Tok::Quest,
                c => Tok::Char(c),
            })
            .collect()
    }
}

/// One position of a compiled pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Exactly this character.
    Char(char),
    /// Any one character; `:` only when `colon_ok`.
    One {
        /// Whether the character may be `:`.
        colon_ok: bool,
    },
    /// Any run of characters, including the empty run; containing `:` only when `colon_ok`.
    Run {
        /// Whether the run may contain `:`.
        colon_ok: bool,
    },
}

impl Step {
    /// Whether this step may consume `c` (for `Run`: one more character of its run).
    fn accepts(self, c: char) -> bool {
        match self {
            Step::Char(p) => p == c,
            Step::One { colon_ok } | Step::Run { colon_ok } => colon_ok || c != ':',
        }
    }
}

/// Runs `steps` over the whole of `text` (anchored at both ends).
///
/// `live[i]` says "the first `i` steps can consume exactly the text read so far". Reading a
/// character moves each live position forward (or keeps it, for a `Run`), then every `Run` may
/// be skipped (it matches the empty run). The text matches when, at its end, all steps are
/// consumed. Each character costs one pass over the steps, hence the `O(steps × text)` bound.
fn run(steps: &[Step], text: &str) -> bool {
    let mut live = vec![false; steps.len() + 1];
    live[0] = true;
    skip_empty_runs(steps, &mut live);
    let mut next = vec![false; steps.len() + 1];
    for c in text.chars() {
        next.fill(false);
        for (i, step) in steps.iter().enumerate() {
            if live[i] && step.accepts(c) {
                match step {
                    Step::Run { .. } => next[i] = true,
                    Step::Char(_) | Step::One { .. } => next[i + 1] = true,
                }
            }
        }
        skip_empty_runs(steps, &mut next);
        std::mem::swap(&mut live, &mut next);
        if !live.contains(&true) {
            // No position survives: no longer text can bring one back.
            return false;
        }
    }
    live[steps.len()]
}

/// Lets a `Run` match the empty run: a live position before it makes the one after it live.
/// Going left to right handles consecutive runs (`**`) in one pass.
fn skip_empty_runs(steps: &[Step], live: &mut [bool]) {
    for (i, step) in steps.iter().enumerate() {
        if live[i] && matches!(step, Step::Run { .. }) {
            live[i + 1] = true;
        }
    }
}

/// The plain glob reading of tokens: `*` any run, `?` any one character, anything may be `:`.
fn glob_steps(pattern: &[Tok]) -> Vec<Step> {
    pattern
        .iter()
        .map(|tok| match *tok {
            Tok::Char(c) => Step::Char(c),
            Tok::Star => Step::Run { colon_ok: true },
            Tok::Quest => Step::One { colon_ok: true },
        })
        .collect()
}

/// Anchored glob match: `Tok::Star` matches any run of characters (including none, `/` and `:`),
/// `Tok::Quest` exactly one character, `Tok::Char` itself; case-sensitive, no normalization
/// (spec §3.1, §4.6 `StringLike`). Runs in `O(pattern × text)` time whatever the pattern.
pub fn glob_match(pattern: &[Tok], text: &str) -> bool {
    run(&glob_steps(pattern), text)
}

/// True when `value` is an ARN for matching purposes: at least five colons, i.e. six
/// components, the last of which keeps any further colons (spec §3.2 R3, §4.6 ARN). The `arn`
/// word itself is not checked; a pattern's literal `arn:` does that where it matters.
pub fn is_arn(value: &str) -> bool {
    value.chars().filter(|c| *c == ':').count() >= 5
}

/// The steps of a `Resource` pattern under spec §3.2 R3.
///
/// The head is everything before the pattern's fifth `:` (counted on `Tok::Char(':')`, so a
/// colon inserted by a variable counts like a written one). In the head `?` is one non-`:`
/// character and `*` a run of non-`:` characters, except that a `*` ending its segment
/// (followed by `:` or by the end of the pattern) may also cross colons. This is what
/// lets `arn:aws:s3:*` match `arn:aws:s3:::b/k`, and `arn:aws:iam::*:role/x` match any account,
/// while `arn:aws:s3:x*y:…` cannot swallow a colon. After the fifth colon `*` and `?` are the
/// plain glob wildcards, so `arn:aws:s3:::*log*` reaches through `/` and `:`.
fn resource_steps(pattern: &[Tok]) -> Vec<Step> {
    let mut colons = 0;
    let mut steps = Vec::with_capacity(pattern.len());
    for (i, tok) in pattern.iter().enumerate() {
        let in_head = colons < 5;
        steps.push(match *tok {
            Tok::Char(c) => {
                if c == ':' {
                    colons += 1;
                }
                Step::Char(c)
            }
            Tok::Quest => Step::One { colon_ok: !in_head },
            Tok::Star => {
                let ends_segment = matches!(pattern.get(i + 1), None | Some(Tok::Char(':')));
                Step::Run {
                    colon_ok: !in_head || ends_segment,
                }
            }
        });
    }
    steps
}

/// Whether one resolved `Resource`/`NotResource` entry matches the request resource (spec §3.2
/// R1-R3; R4, a variable without value, is the caller's: such an entry has no tokens to pass).
///
/// R1: an entry that is exactly one `*` matches everything, `*` included. R2: the resource `*`
/// matches nothing else. R3: any other resource must be an ARN ([`is_arn`]) and is matched
/// case-sensitively with the head rule of [`resource_steps`].
pub fn resource_matches(pattern: &[Tok], resource: &str) -> bool {
    if pattern == [Tok::Star] {
        return true;
    }
    if resource == "*" || !is_arn(resource) {
        return false;
    }
    run(&resource_steps(pattern), resource)
}

/// Splits `items` before its first five separators: six components, the last keeping any
/// further separators; `None` with fewer than five separators.
fn six_components<T>(items: &[T], is_separator: impl Fn(&T) -> bool) -> Option<Vec<&[T]>> {
    let mut parts = Vec::with_capacity(6);
    let mut rest = items;
    while parts.len() < 5 {
        let at = rest.iter().position(&is_separator)?;
        parts.push(&rest[..at]);
        rest = &rest[at + 1..];
    }
    parts.push(rest);
    Some(parts)
}

/// `ArnLike`/`ArnEquals` comparison of a resolved policy value with a request value (spec §4.6
/// ARN): both are split at their first five colons and each of the six component pairs is
/// glob-matched, case-sensitively, so no wildcard crosses a component boundary (A-10, C-11,
/// C-29). Inside the sixth component, which keeps further colons, `*` is the plain glob star.
///
/// A request value with fewer than six components is an *error* in the spec; this function
/// returns `false` for it, and the condition code tells the two apart with [`is_arn`]. A policy
/// value with fewer than six components (`arn:aws:s3:*`) matches nothing: the padding
/// iam-simulate applies is not what the spec says (C-11).
pub fn arn_like(pattern: &[Tok], value: &str) -> bool {
    let Some(pattern_parts) = six_components(pattern, |t| *t == Tok::Char(':')) else {
        return false;
    };
    let chars: Vec<char> = value.chars().collect();
    let Some(value_parts) = six_components(&chars, |c| *c == ':') else {
        return false;
    };
    pattern_parts
        .iter()
        .zip(&value_parts)
        .all(|(p, v)| glob_match(p, &v.iter().collect::<String>()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// Tokens of a glob written with `*` and `?` as wildcards.
    fn g(s: &str) -> Vec<Tok> {
        s.chars()
            .map(|c| match c {
                '*' => Tok::Star,
                '?' => Tok::Quest,
                c => Tok::Char(c),
            })
            .collect()
    }

    /// Tokens that are all literal (as text inserted by a variable).
    fn lit(s: &str) -> Vec<Tok> {
        s.chars().map(Tok::Char).collect()
    }

    // ---- glob_match ----

    #[test]
    fn glob_literals_are_exact_and_anchored() {
        assert!(glob_match(&g("abc"), "abc"));
        assert!(!glob_match(&g("abc"), "abcd"));
        assert!(!glob_match(&g("abc"), "xabc"));
        assert!(!glob_match(&g("abc"), "ABC"), "case-sensitive");
        assert!(!glob_match(&g("abc"), "ab"));
    }

    #[test]
    fn glob_star_matches_any_run_including_empty() {
        assert!(glob_match(&g("a*"), "a"));
        assert!(glob_match(&g("a*"), "a/b:c"));
        assert!(glob_match(&g("*b"), "b"));
        assert!(glob_match(&g("a*b*c"), "abc"));
        assert!(glob_match(&g("a*b*c"), "axxbyyc"));
        assert!(!glob_match(&g("a*b*c"), "axxbyy"));
        assert!(!glob_match(&g("a*b"), "ba"));
        assert!(glob_match(&g("**"), ""));
        assert!(glob_match(&g("a**b"), "ab"));
    }

    #[test]
    fn glob_quest_matches_exactly_one_char() {
        assert!(glob_match(&g("a?c"), "abc"));
        assert!(glob_match(&g("a?c"), "a:c"));
        assert!(!glob_match(&g("a?c"), "ac"));
        assert!(!glob_match(&g("a?c"), "abbc"));
        assert!(glob_match(&g("??"), "xy"));
        assert!(!glob_match(&g("?"), ""));
    }

    #[test]
    fn glob_empty_pattern_and_text() {
        assert!(glob_match(&[], ""));
        assert!(!glob_match(&[], "a"));
        assert!(glob_match(&g("*"), ""));
        assert!(!glob_match(&g("a"), ""));
    }

    #[test]
    fn glob_unicode_is_per_scalar() {
        assert!(
            glob_match(&g("h?llo"), "héllo"),
            "? is one scalar, not one byte"
        );
        assert!(glob_match(&g("*ß"), "straß"));
        assert!(!glob_match(&g("ss"), "ß"));
        assert!(glob_match(&g("日本*"), "日本語"));
        assert!(!glob_match(&g("日本?"), "日本"));
        // No normalization: precomposed é is not e + combining acute.
        assert!(!glob_match(&g("é"), "e\u{301}"));
        assert!(glob_match(&g("??"), "e\u{301}"));
    }

    #[test]
    fn glob_literal_star_from_variable_is_not_a_wildcard() {
        assert!(glob_match(&lit("a*"), "a*"));
        assert!(!glob_match(&lit("a*"), "ab"));
        assert!(!glob_match(&lit("a?"), "ab"));
    }

    #[test]
    fn glob_hostile_pattern_finishes_quickly() {
        let pattern = g(&format!("{}b", "a*".repeat(200)));
        let text = "a".repeat(5000);
        let start = Instant::now();
        assert!(!glob_match(&pattern, &text));
        let with_b = format!("{text}b");
        assert!(glob_match(&pattern, &with_b));
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "must not backtrack"
        );
    }

    // ---- resource_matches ----

    fn res(pattern: &str, resource: &str) -> bool {
        resource_matches(&g(pattern), resource)
    }

    const DEMO: &str = "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*";

    #[test]
    fn resource_spec_worked_examples() {
        for ok in [
            "1/test/object.jpg",
            "1/2/test/3/object.jpg",
            "1///test///object.jpg",
            "/test/object.jpg",
            "1/test/",
        ] {
            let r = format!("arn:aws:s3:::amzn-s3-demo-bucket/{ok}");
            assert!(res(DEMO, &r), "{r}");
        }
        for no in ["1-test/object.jpg", "test/object.jpg", "1/2/test.jpg"] {
            let r = format!("arn:aws:s3:::amzn-s3-demo-bucket/{no}");
            assert!(!res(DEMO, &r), "{r}");
        }
    }

    #[test]
    fn resource_c10_star_spans_slashes() {
        let p = "arn:aws:s3:::b/*/test/*";
        assert!(res(p, "arn:aws:s3:::b/1///test///object.jpg"));
        assert!(res(p, "arn:aws:s3:::b//test/object.jpg"));
        assert!(!res(p, "arn:aws:s3:::b/test/object.jpg"));
        assert!(!res(p, "arn:aws:s3:::b/1-test/object.jpg"));
    }

    #[test]
    fn resource_c09_case_sensitive_everywhere() {
        let p = "arn:aws:iam::111122223333:user/Bob";
        assert!(res(p, "arn:aws:iam::111122223333:user/Bob"));
        assert!(!res(p, "arn:aws:iam::111122223333:user/bob"));
        // the head too.
        assert!(!res(p, "arn:aws:IAM::111122223333:user/Bob"));
        assert!(!res(p, "ARN:aws:iam::111122223333:user/Bob"));
    }

    #[test]
    fn resource_c11_trailing_head_star_crosses_colons() {
        assert!(res("arn:aws:s3:*", "arn:aws:s3:::b/k"));
        assert!(res("arn:aws:s3:*", "arn:aws:s3:us-east-1:1:x"));
        assert!(!res("arn:aws:s3:*", "arn:aws:s3x:::b/k"));
        assert!(!res("arn:aws:s3:*", "arn:aws:ec2:::b/k"));
        assert!(res("arn:*", "arn:aws:ec2:us-east-1:1:instance/i-1"));
        assert!(!res("arn:*", "nope:aws:ec2:us-east-1:1:instance/i-1"));
    }

    #[test]
    fn resource_star_alone_and_resource_star() {
        assert!(res("*", "*"), "R1 includes *");
        assert!(res("*", "arn:aws:s3:::b"));
        assert!(res("*", "not-an-arn"));
        assert!(res("*", ""));
        // R2: only a lone * matches the resource *.
        assert!(!res("arn:aws:s3:::*", "*"));
        assert!(!res("arn:*", "*"));
        assert!(!res("**", "*"));
        // A `*` inserted by a variable is a character, not R1.
        assert!(!resource_matches(&lit("*"), "arn:aws:s3:::b"));
        assert!(!resource_matches(&lit("*"), "*"));
    }

    #[test]
    fn resource_non_arns_match_only_star() {
        assert!(!res("arn:aws:s3:*", "arn:aws:s3:b"), "three colons only");
        assert!(!res("b*", "bucket"));
        assert!(!res("bucket", "bucket"));
        assert!(!res("arn:aws:s3:::b", "arn:aws:s3::b"));
    }

    #[test]
    fn resource_star_mid_segment_in_resource_part() {
        // C-05.
        let p = "arn:aws:s3:::*log*";
        assert!(res(p, "arn:aws:s3:::carlossalazar-logs/file.txt"));
        assert!(res(p, "arn:aws:s3:::log"));
        assert!(res(p, "arn:aws:s3:::a:b:log:c"));
        assert!(!res(p, "arn:aws:s3:::carlossalazar/file.txt"));
    }

    #[test]
    fn resource_every_head_segment_wild() {
        let p = "arn:aws:*:*:*:*";
        assert!(res(p, "arn:aws:s3:::b/k"));
        assert!(res(p, "arn:aws:ec2:us-east-1:111122223333:instance/i-1"));
        assert!(!res(p, "arn:aws-cn:s3:::b"));
    }

    #[test]
    fn resource_account_wildcard() {
        let p = "arn:aws:iam::*:role/x";
        assert!(res(p, "arn:aws:iam::111122223333:role/x"));
        assert!(res(p, "arn:aws:iam:::role/x"));
        assert!(!res(p, "arn:aws:iam::111122223333:role/y"));
        assert!(!res(p, "arn:aws:iam::111122223333:user/x"));
        // The trailing `*` of the account segment may cross colons (A-10, literal reading).
        assert!(res(p, "arn:aws:iam::1:2:role/x"));
    }

    #[test]
    fn resource_head_star_mid_segment_stays_in_segment() {
        let p = "arn:aws:s*3:us-east-1:1:x";
        assert!(res(p, "arn:aws:sxx3:us-east-1:1:x"));
        assert!(
            !res(p, "arn:aws:s:3:us-east-1:1:x"),
            "mid-segment * cannot eat ':'"
        );
        // Region prefix with a non-final star.
        let p = "arn:aws:ec2:us-*-1:1:instance/*";
        assert!(res(p, "arn:aws:ec2:us-east-1:1:instance/i-1"));
        assert!(!res(p, "arn:aws:ec2:us-east-2:1:instance/i-1"));
        assert!(!res(p, "arn:aws:ec2:us-x:y-1:1:instance/i-1"));
    }

    #[test]
    fn resource_head_quest_never_matches_colon() {
        assert!(res("arn:aws:s?:::b", "arn:aws:s3:::b"));
        assert!(!res("arn:aws:s3?::b", "arn:aws:s3:::b"));
        // In the resource part `?` may be ':'.
        assert!(res("arn:aws:s3:::a?b", "arn:aws:s3:::a:b"));
    }

    #[test]
    fn resource_variable_text_is_literal() {
        // `arn:aws:s3:::b/` + variable value `a*` + `/` + `*` wildcard.
        let mut p = g("arn:aws:s3:::b/");
        p.extend(lit("a*"));
        p.extend(g("/*"));
        assert!(resource_matches(&p, "arn:aws:s3:::b/a*/x"));
        assert!(!resource_matches(&p, "arn:aws:s3:::b/ab/x"));
    }

    #[test]
    fn resource_hostile_pattern_finishes_quickly() {
        let p = format!("arn:aws:s3:::{}b", "a*".repeat(300));
        let r = format!("arn:aws:s3:::{}", "a".repeat(5000));
        let start = Instant::now();
        assert!(!res(&p, &r));
        assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn resource_steps_document_the_head_rule() {
        let steps = resource_steps(&g("a*:b*c:?:*"));
        assert_eq!(steps[1], Step::Run { colon_ok: true }, "ends its segment");
        assert_eq!(steps[4], Step::Run { colon_ok: false }, "mid-segment");
        assert_eq!(steps[7], Step::One { colon_ok: false });
        assert_eq!(steps[9], Step::Run { colon_ok: true }, "end of pattern");
        let tail = resource_steps(&g("a:b:c:d:e:x*y?"));
        assert_eq!(tail[11], Step::Run { colon_ok: true });
        assert_eq!(tail[13], Step::One { colon_ok: true });
    }

    // ---- arn_like ----

    #[test]
    fn arn_like_c29_components_do_not_cross() {
        let p = g("arn:aws:someservice:*:111122223333:finance/*");
        let v = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
        assert!(!arn_like(&p, v));
        assert!(glob_match(&p, v), "the StringLike reading matches (C-29 A)");
        assert!(arn_like(
            &p,
            "arn:aws:someservice:us-east-2:111122223333:finance/document.txt"
        ));
    }

    #[test]
    fn arn_like_c30_wildcards_per_component() {
        let p = g("arn:aws:sns:*:111122223333:topic-*");
        assert!(arn_like(&p, "arn:aws:sns:us-east-1:111122223333:topic-a"));
        assert!(!arn_like(&p, "arn:aws:sns:us-east-1:111122223334:topic-a"));
        assert!(!arn_like(&p, "arn:aws:sns:us-east-1:111122223333:queue-a"));
        assert!(!arn_like(&p, "arn:aws:SNS:us-east-1:111122223333:topic-a"));
    }

    #[test]
    fn arn_like_short_values_and_patterns() {
        assert!(
            !arn_like(&g("arn:aws:s3:*"), "arn:aws:s3:::b"),
            "C-11: no padding"
        );
        assert!(arn_like(&g("arn:aws:s3:::*"), "arn:aws:s3:::b"));
        assert!(!arn_like(&g("*"), "arn:aws:s3:::b"));
        assert!(!arn_like(&g("arn:aws:s3:::*"), "arn:aws:s3::b"));
        assert!(!is_arn("arn:aws:s3::b"));
        assert!(is_arn("arn:aws:s3:::b"));
        assert!(is_arn(":::::"));
        assert!(!is_arn("*"));
    }

    #[test]
    fn arn_like_star_and_quest_stay_in_their_component() {
        assert!(!arn_like(&g("arn:aws:*:::b"), "arn:aws:s3:x:::b"));
        assert!(arn_like(&g("arn:aws:s?:::b"), "arn:aws:s3:::b"));
        assert!(!arn_like(&g("arn:aws:s?:::b"), "arn:aws:s:::b"));
        // Empty components match empty and `*`.
        assert!(arn_like(&g("arn:aws:s3:*:*:b"), "arn:aws:s3:::b"));
    }

    #[test]
    fn arn_like_sixth_component_keeps_colons() {
        let p = g("arn:aws:lambda:us-east-1:1:function:*");
        assert!(arn_like(&p, "arn:aws:lambda:us-east-1:1:function:f"));
        assert!(arn_like(&p, "arn:aws:lambda:us-east-1:1:function:f:3"));
        let exact = g("arn:aws:lambda:us-east-1:1:function:f");
        assert!(!arn_like(&exact, "arn:aws:lambda:us-east-1:1:function:f:3"));
        assert!(arn_like(&exact, "arn:aws:lambda:us-east-1:1:function:f"));
    }
}
