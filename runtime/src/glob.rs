//! Wildcard, resource and ARN matching (spec §3.1-§3.3, §4.6 ARN), shared by both evaluators.
//!
//! Every matcher here is one small automaton run over the text. A pattern is read as a list of
//! `Step`s (a literal character, "any one character", "any run of characters"; the last two
//! optionally barred from consuming `:`), and `simulate` runs that list as an NFA: it keeps
//! the set of pattern positions that can have consumed the text read so far. That is
//! `O(pattern × text)` time for every pattern, hostile ones included (`a*a*a*…b`), where a
//! backtracking matcher would take exponential time.
//!
//! The matchers differ only in how a token reads as a step (`Mode`, `step_at`):
//! * [`glob_match`] (`StringLike`, ARN components): `*` any run, `?` any one character;
//! * [`glob_match_ci`] (action names): the same, letters compared ASCII-case-insensitively;
//! * [`resource_matches`]: the same after the pattern's fifth colon, but in the head `*` and `?`
//!   stop at `:` unless the `*` ends its segment (R3, A-10);
//! * [`arn_like`]: splits both sides into six components first, so no wildcard ever reaches
//!   across a component boundary.
//!
//! None of them allocates (the compiled runtime's `authorize` must not): a step is computed
//! from the tokens when it is needed instead of being collected, and the live set is a bitset
//! on the stack. Only a pattern whose wildcard middle (what is left once the literal prefix and
//! suffix are matched directly) has [`STACK_POSITIONS`] tokens or more falls back to a heap
//! bitset, so every pattern of up to 4096 tokens is matched without allocating.

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

/// One position of a pattern, as the automaton reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Exactly this character (up to ASCII case in [`Mode::GlobCi`]).
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

/// How tokens read as steps: the one difference between the matchers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Plain glob, case-sensitive.
    Glob,
    /// Plain glob, `Char` tokens compared after `char::to_ascii_lowercase` on both sides.
    GlobCi,
    /// The `Resource` head rule (see `step_at`); positions below `head_end` are in the head.
    Resource {
        /// One past the pattern's fifth `Tok::Char(':')`, or the pattern length without one.
        head_end: usize,
    },
}

impl Mode {
    /// Whether pattern character `p` matches text character `c`.
    fn same(self, p: char, c: char) -> bool {
        match self {
            // `char::eq_ignore_ascii_case` is defined as comparing `to_ascii_lowercase`s.
            Mode::GlobCi => p.eq_ignore_ascii_case(&c),
            Mode::Glob | Mode::Resource { .. } => p == c,
        }
    }
}

impl Step {
    /// Whether this step may consume `c` (for `Run`: one more character of its run).
    fn accepts(self, c: char, mode: Mode) -> bool {
        match self {
            Step::Char(p) => mode.same(p, c),
            Step::One { colon_ok } | Step::Run { colon_ok } => colon_ok || c != ':',
        }
    }
}

/// Where the `Resource` head ends: one past the pattern's fifth `:` (counted on
/// `Tok::Char(':')`, so a colon inserted by a variable counts like a written one).
fn head_end(pattern: &[Tok]) -> usize {
    pattern
        .iter()
        .enumerate()
        .filter(|(_, t)| **t == Tok::Char(':'))
        .nth(4)
        .map_or(pattern.len(), |(i, _)| i + 1)
}

/// The step of `pattern[i]` (which must exist) under `mode`.
///
/// In [`Mode::Resource`] (spec §3.2 R3) the head is everything before the pattern's fifth `:`.
/// In the head `?` is one non-`:` character and `*` a run of non-`:` characters, except that a
/// `*` ending its segment (followed by `:` or by the end of the pattern) may also cross colons
/// . This is what lets `arn:aws:s3:*` match `arn:aws:s3:::b/k`, and
/// `arn:aws:iam::*:role/x` match any account, while `arn:aws:s3:x*y:…` cannot swallow a colon.
/// After the fifth colon `*` and `?` are the plain glob wildcards, so `arn:aws:s3:::*log*`
/// reaches through `/` and `:`. The other modes read `*` and `?` as plain glob wildcards.
fn step_at(pattern: &[Tok], mode: Mode, i: usize) -> Step {
    let in_head = match mode {
        Mode::Resource { head_end } => i < head_end,
        Mode::Glob | Mode::GlobCi => false,
    };
    match pattern[i] {
        Tok::Char(c) => Step::Char(c),
        Tok::Quest => Step::One { colon_ok: !in_head },
        Tok::Star => {
            let ends_segment = matches!(pattern.get(i + 1), None | Some(Tok::Char(':')));
            Step::Run {
                colon_ok: !in_head || ends_segment,
            }
        }
    }
}

/// Matches all of `text` against all of `pattern` under `mode`.
///
/// Literal tokens at either end of the pattern are deterministic (they can only consume their
/// own character, and no `Run` precedes a literal prefix or follows a literal suffix), so they
/// are compared directly and the automaton only runs over the wildcard middle. That is exactly
/// what the automaton over the whole pattern would answer, and it makes the common shapes
/// cheap: a pattern without wildcards is a character-wise equality, `literal*` a prefix test
/// (in `Resource` mode too: a final `*` ends its segment, so it may cross colons), `*literal` a
/// suffix test.
fn matches(pattern: &[Tok], text: &str, mode: Mode) -> bool {
    let mut rest = text;
    let mut start = 0;
    while let Some(&Tok::Char(p)) = pattern.get(start) {
        let mut chars = rest.chars();
        match chars.next() {
            Some(c) if mode.same(p, c) => rest = chars.as_str(),
            _ => return false,
        }
        start += 1;
    }
    let mut end = pattern.len();
    while end > start {
        let Tok::Char(p) = pattern[end - 1] else {
            break;
        };
        let mut chars = rest.chars();
        match chars.next_back() {
            Some(c) if mode.same(p, c) => rest = chars.as_str(),
            _ => return false,
        }
        end -= 1;
    }
    match end - start {
        0 => rest.is_empty(),
        // A lone `*` between the literal ends: the remaining text is its run.
        1 if pattern[start] == Tok::Star => match step_at(pattern, mode, start) {
            Step::Run { colon_ok } => colon_ok || !rest.contains(':'),
            Step::Char(_) | Step::One { .. } => run(pattern, mode, start, end, rest),
        },
        _ => {
            if let Some(hit) = star_segments(pattern, mode, start, end, rest) {
                return hit;
            }
            run(pattern, mode, start, end, rest)
        }
    }
}

/// The greedy match of a middle `* L1 * L2 … *` whose wildcards are all unrestricted `*`s
/// (no `?`, no colon-barred run): each literal segment at its leftmost occurrence after the
/// previous one. That is exact for such patterns (a later occurrence never helps: it only
/// leaves less text for what follows) and linear in practice. `None` when the middle has
/// another shape; the automaton decides those.
fn star_segments(
    pattern: &[Tok],
    mode: Mode,
    start: usize,
    end: usize,
    text: &str,
) -> Option<bool> {
    let middle = pattern.get(start..end)?;
    for (k, t) in middle.iter().enumerate() {
        match t {
            Tok::Char(_) => {}
            Tok::Quest => return None,
            Tok::Star => {
                if step_at(pattern, mode, start + k) != (Step::Run { colon_ok: true }) {
                    return None;
                }
            }
        }
    }
    let mut rest = text;
    for seg in middle.split(|t| *t == Tok::Star).filter(|s| !s.is_empty()) {
        match find_segment(seg, mode, rest) {
            Some(after) => rest = after,
            None => return Some(false),
        }
    }
    Some(true)
}

/// The text after the leftmost occurrence of the literal tokens `seg` in `text`.
fn find_segment<'t>(seg: &[Tok], mode: Mode, text: &'t str) -> Option<&'t str> {
    let mut from = text;
    loop {
        let mut chars = from.chars();
        let mut toks = seg.iter();
        let matched = loop {
            match toks.next() {
                None => break true,
                Some(Tok::Char(p)) => match chars.next() {
                    Some(c) if mode.same(*p, c) => {}
                    _ => break false,
                },
                Some(_) => break false,
            }
        };
        if matched {
            return Some(chars.as_str());
        }
        let mut skip = from.chars();
        skip.next()?;
        from = skip.as_str();
    }
}

/// Live-set size, in 64-bit words, tried first: it holds a middle of up to 255 tokens, which is
/// nearly every pattern, and zeroing two of them costs only 64 bytes per call.
const SMALL_WORDS: usize = 4;
/// Live-set size, in 64-bit words, of the largest stack bitset.
const STACK_WORDS: usize = 65;
/// Pattern positions the stack bitset holds: a wildcard middle of up to this many tokens minus
/// one (at least 4096) is matched without touching the heap.
pub const STACK_POSITIONS: usize = STACK_WORDS * 64;

/// Runs the automaton for `pattern[start..end]` over `text`, picking the smallest bitset that
/// holds its positions: two on the stack, then (beyond [`STACK_POSITIONS`]) the heap.
fn run(pattern: &[Tok], mode: Mode, start: usize, end: usize, text: &str) -> bool {
    let words = (end - start + 1).div_ceil(64);
    if words <= SMALL_WORDS {
        let (mut live, mut next) = ([0u64; SMALL_WORDS], [0u64; SMALL_WORDS]);
        simulate(
            pattern,
            mode,
            start,
            end,
            text,
            &mut live[..words],
            &mut next[..words],
        )
    } else if words <= STACK_WORDS {
        let (mut live, mut next) = ([0u64; STACK_WORDS], [0u64; STACK_WORDS]);
        simulate(
            pattern,
            mode,
            start,
            end,
            text,
            &mut live[..words],
            &mut next[..words],
        )
    } else {
        // Documented fallback for absurdly long patterns: correctness over the no-allocation
        // promise.
        simulate(
            pattern,
            mode,
            start,
            end,
            text,
            &mut vec![0; words],
            &mut vec![0; words],
        )
    }
}

/// Sets bit `j`.
fn set(bits: &mut [u64], j: usize) {
    bits[j / 64] |= 1 << (j % 64);
}

/// Simulates the steps of `pattern[start..end]` over the whole of `text` (anchored at both
/// ends); bit `j` of a live set stands for pattern position `start + j`.
///
/// Bit `j` of `live` says "the steps before position `start + j` can consume exactly the text
/// read so far". Reading a character moves each live position forward (or keeps it, for a
/// `Run`), then every `Run` may be skipped (it matches the empty run). The text matches when,
/// at its end, all steps are consumed. Each character costs one visit per live position, hence
/// the `O(steps × text)` bound. `live` and `next` are zeroed and equally long, with room for
/// `end - start + 1` bits.
fn simulate<'b>(
    pattern: &[Tok],
    mode: Mode,
    start: usize,
    end: usize,
    text: &str,
    mut live: &'b mut [u64],
    mut next: &'b mut [u64],
) -> bool {
    let last = end - start;
    set(live, 0);
    skip_empty_runs(pattern, mode, start, last, live);
    for c in text.chars() {
        next.fill(0);
        for (w, &word) in live.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let j = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if j == last {
                    // Every step consumed: no character can follow.
                    continue;
                }
                let step = step_at(pattern, mode, start + j);
                if step.accepts(c, mode) {
                    match step {
                        Step::Run { .. } => set(next, j),
                        Step::Char(_) | Step::One { .. } => set(next, j + 1),
                    }
                }
            }
        }
        skip_empty_runs(pattern, mode, start, last, next);
        std::mem::swap(&mut live, &mut next);
        if live.iter().all(|w| *w == 0) {
            // No position survives: no longer text can bring one back.
            return false;
        }
    }
    live[last / 64] & (1 << (last % 64)) != 0
}

/// Lets a `Run` match the empty run: a live position before it makes the one after it live.
/// Going left to right (bits set on the way are visited too) handles consecutive runs (`**`)
/// in one pass.
fn skip_empty_runs(pattern: &[Tok], mode: Mode, start: usize, last: usize, live: &mut [u64]) {
    for w in 0..live.len() {
        let mut visited = 0u64;
        loop {
            let pending = live[w] & !visited;
            if pending == 0 {
                break;
            }
            let b = pending.trailing_zeros() as usize;
            visited |= 1 << b;
            let j = w * 64 + b;
            if j < last && matches!(step_at(pattern, mode, start + j), Step::Run { .. }) {
                set(live, j + 1);
            }
        }
    }
}

/// Anchored glob match: `Tok::Star` matches any run of characters (including none, `/` and `:`),
/// `Tok::Quest` exactly one character, `Tok::Char` itself; case-sensitive, no normalization
/// (spec §3.1, §4.6 `StringLike`). Runs in `O(pattern × text)` time whatever the pattern, and
/// allocates nothing (see the module notes for the one exception).
pub fn glob_match(pattern: &[Tok], text: &str) -> bool {
    matches(pattern, text, Mode::Glob)
}

/// [`glob_match`] with ASCII-case-insensitive literals, for action names (spec §3.1): a
/// `Tok::Char(p)` matches text character `c` when `p.to_ascii_lowercase() ==
/// c.to_ascii_lowercase()`. Exactly `glob_match` of the ASCII-lower-cased pattern against the
/// ASCII-lower-cased text; non-ASCII letters are compared as they are (`É` does not match `é`).
/// Allocates nothing.
pub fn glob_match_ci(pattern: &[Tok], text: &str) -> bool {
    matches(pattern, text, Mode::GlobCi)
}

/// Glob match of a literal pattern in which `*` is the only wildcard and every other
/// character, `?` included, is itself: equality, or the text before the first `*` as a
/// prefix, the text after the last as a suffix (the two not overlapping) and each piece
/// between stars at its leftmost place after the previous one. That is exact for such
/// patterns (a later place only leaves less text for the rest), and byte search finds only
/// char-boundary matches since both sides are UTF-8, so this is [`glob_match`] of the same
/// pattern read with `*` as [`Tok::Star`] and nothing else as a wildcard. No tokens are built:
/// the policy's text is compared in place.
pub fn star_match(pattern: &str, text: &str) -> bool {
    // One byte scan for the first and last `*` (ASCII, so every cut is a char boundary): the
    // generic char searchers cost more than the comparison.
    let mut stars: Option<(usize, usize)> = None;
    for (i, b) in pattern.bytes().enumerate() {
        if b == b'*' {
            stars = Some((stars.map_or(i, |(first, _)| first), i));
        }
    }
    let Some((first, last)) = stars else {
        return pattern == text;
    };
    let (Some(head), Some(tail)) = (pattern.get(..first), pattern.get(last + 1..)) else {
        return false;
    };
    if text.len() < head.len() + tail.len() || !text.starts_with(head) || !text.ends_with(tail) {
        return false;
    }
    let Some(mut rest) = text.get(head.len()..text.len() - tail.len()) else {
        return false;
    };
    let middle = pattern.get(first + 1..last).unwrap_or_default();
    for piece in middle.split('*').filter(|p| !p.is_empty()) {
        let Some(at) = find_bytes(rest.as_bytes(), piece.as_bytes()) else {
            return false;
        };
        let Some(after) = rest.get(at + piece.len()..) else {
            return false;
        };
        rest = after;
    }
    true
}

/// [`star_match`] for a `StringLike` pattern, where `?` is a wildcard too: `None` for a
/// pattern with `?` (the caller takes the automaton).
pub fn star_glob(pattern: &str, text: &str) -> Option<bool> {
    (!pattern.as_bytes().contains(&b'?')).then(|| star_match(pattern, text))
}

/// [`resource_matches`] for a pattern [`resource_stars`] accepted, given as its text.
pub fn resource_star_matches(stars: &str, resource: &str) -> bool {
    resource != "*" && is_arn(resource) && star_match(stars, resource)
}

/// The leftmost position of `needle` in `hay`: a plain scan, cheaper than `str::find`'s
/// searcher set-up for the few-byte pieces of real patterns, and `O(hay × needle)` like the
/// automaton.
fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some(&lead) = needle.first() else {
        return Some(0);
    };
    let last_start = hay.len().checked_sub(needle.len())?;
    (0..=last_start)
        .find(|&i| hay.get(i) == Some(&lead) && hay.get(i..i + needle.len()) == Some(needle))
}

/// The text of a variable-free `Resource` pattern that [`resource_matches`] decides exactly as
/// [`star_match`] does once the resource is known to be an ARN other than `*`: no `?`, no
/// literal `*` or `?` character, not the lone `*`, and every `*` may cross colons under the
/// head rule (it ends its segment of the ARN head, or lies after the head). `None` otherwise.
/// Most real patterns qualify (`arn:aws:ec2:*:111122223333:instance/*`).
pub fn resource_stars(pattern: &[Tok]) -> Option<String> {
    if pattern == [Tok::Star] {
        return None;
    }
    let mode = Mode::Resource {
        head_end: head_end(pattern),
    };
    let mut text = String::with_capacity(pattern.len());
    for (i, t) in pattern.iter().enumerate() {
        match t {
            Tok::Char('*' | '?') | Tok::Quest => return None,
            Tok::Char(c) => text.push(*c),
            Tok::Star => {
                if step_at(pattern, mode, i) != (Step::Run { colon_ok: true }) {
                    return None;
                }
                text.push('*');
            }
        }
    }
    Some(text)
}

/// True when `value` is an ARN for matching purposes: at least five colons, i.e. six
/// components, the last of which keeps any further colons (spec §3.2 R3, §4.6 ARN). The `arn`
/// word itself is not checked; a pattern's literal `arn:` does that where it matters.
pub fn is_arn(value: &str) -> bool {
    // `:` is ASCII, so it never appears inside a multi-byte character's encoding.
    value.bytes().filter(|b| *b == b':').nth(4).is_some()
}

/// Whether one resolved `Resource`/`NotResource` entry matches the request resource (spec §3.2
/// R1-R3; R4, a variable without value, is the caller's: such an entry has no tokens to pass).
///
/// R1: an entry that is exactly one `*` matches everything, `*` included. R2: the resource `*`
/// matches nothing else. R3: any other resource must be an ARN ([`is_arn`]) and is matched
/// case-sensitively with the head rule of `step_at`. Allocates nothing.
pub fn resource_matches(pattern: &[Tok], resource: &str) -> bool {
    if pattern == [Tok::Star] {
        return true;
    }
    if resource == "*" || !is_arn(resource) {
        return false;
    }
    matches(
        pattern,
        resource,
        Mode::Resource {
            head_end: head_end(pattern),
        },
    )
}

/// `ArnLike`/`ArnEquals` comparison of a resolved policy value with a request value (spec §4.6
/// ARN): both are split at their first five colons and each of the six component pairs is
/// glob-matched, case-sensitively, so no wildcard crosses a component boundary (A-10, C-11,
/// C-29). Inside the sixth component, which keeps further colons, `*` is the plain glob star.
///
/// A request value with fewer than six components is an *error* in the spec; this function
/// returns `false` for it, and the condition code tells the two apart with [`is_arn`]. A policy
/// value with fewer than six components (`arn:aws:s3:*`) matches nothing: the padding
/// iam-simulate applies is not what the spec says (C-11). Allocates nothing: the components
/// are sub-slices of both sides.
pub fn arn_like(pattern: &[Tok], value: &str) -> bool {
    let (mut pattern, mut value) = (pattern, value);
    for _ in 0..5 {
        let Some(p) = pattern.iter().position(|t| *t == Tok::Char(':')) else {
            return false;
        };
        // A byte index of the ASCII `:`, so both sides of it are character boundaries.
        let Some(v) = value.find(':') else {
            return false;
        };
        if !glob_match(&pattern[..p], &value[..v]) {
            return false;
        }
        pattern = &pattern[p + 1..];
        value = &value[v + 1..];
    }
    glob_match(pattern, value)
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
        let step = |p: &[Tok], i| {
            step_at(
                p,
                Mode::Resource {
                    head_end: head_end(p),
                },
                i,
            )
        };
        let p = g("a*:b*c:?:*");
        assert_eq!(
            step(&p, 1),
            Step::Run { colon_ok: true },
            "ends its segment"
        );
        assert_eq!(step(&p, 4), Step::Run { colon_ok: false }, "mid-segment");
        assert_eq!(step(&p, 7), Step::One { colon_ok: false });
        assert_eq!(step(&p, 9), Step::Run { colon_ok: true }, "end of pattern");
        let tail = g("a:b:c:d:e:x*y?");
        assert_eq!(head_end(&tail), 10);
        assert_eq!(step(&tail, 11), Step::Run { colon_ok: true });
        assert_eq!(step(&tail, 13), Step::One { colon_ok: true });
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

    // ---- the rewrite answers exactly what the allocating original answered ----

    /// The matchers as they were before they were made allocation-free, kept verbatim (but for
    /// this note) as the oracle of the property tests below.
    #[allow(dead_code, reason = "a verbatim copy; not every helper is compared")]
    mod old {
        use super::super::Tok;

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
                        let ends_segment =
                            matches!(pattern.get(i + 1), None | Some(Tok::Char(':')));
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
    }

    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Pattern alphabet: separators, letters in both cases, multi-byte letters (`É` is not
    /// ASCII, so case-insensitivity must leave it alone), literal `*`/`?` (as a variable
    /// inserts them) and the two wildcards, weighted so wildcards and colons are common.
    const PAT: [Tok; 14] = [
        Tok::Char(':'),
        Tok::Char(':'),
        Tok::Char('/'),
        Tok::Char('a'),
        Tok::Char('b'),
        Tok::Char('A'),
        Tok::Char('é'),
        Tok::Char('É'),
        Tok::Char('*'),
        Tok::Char('?'),
        Tok::Star,
        Tok::Star,
        Tok::Quest,
        Tok::Quest,
    ];
    /// Text alphabet.
    const TEXT: [char; 11] = [':', ':', '/', 'a', 'b', 'A', 'B', 'é', 'É', '*', '?'];

    fn random_text(rng: &mut ChaCha8Rng, max: usize) -> String {
        let len = rng.random_range(0..=max);
        (0..len)
            .map(|_| TEXT[rng.random_range(0..TEXT.len())])
            .collect()
    }

    fn random_tokens(rng: &mut ChaCha8Rng, max: usize) -> Vec<Tok> {
        let len = rng.random_range(0..=max);
        (0..len)
            .map(|_| PAT[rng.random_range(0..PAT.len())])
            .collect()
    }

    /// A pattern: either free-form, or six short components joined by `:` (so that the
    /// resource head rule and the ARN split have something to bite on).
    fn random_pattern(rng: &mut ChaCha8Rng) -> Vec<Tok> {
        if rng.random_bool(0.4) {
            return random_tokens(rng, 14);
        }
        let mut p = Vec::new();
        for i in 0..6 {
            if i > 0 && rng.random_bool(0.97) {
                p.push(Tok::Char(':'));
            }
            p.extend(random_tokens(rng, 3));
        }
        p
    }

    /// A text the pattern matches (wildcards filled at random, letters sometimes in the other
    /// ASCII case), often with one edit applied: near misses and near hits.
    fn text_for(rng: &mut ChaCha8Rng, pattern: &[Tok]) -> String {
        let mut chars: Vec<char> = Vec::new();
        for tok in pattern {
            match *tok {
                Tok::Char(c) if rng.random_bool(0.1) => {
                    chars.push(if c.is_ascii_lowercase() {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    });
                }
                Tok::Char(c) => chars.push(c),
                Tok::Quest => chars.push(TEXT[rng.random_range(0..TEXT.len())]),
                Tok::Star => chars.extend(random_text(rng, 3).chars()),
            }
        }
        if rng.random_bool(0.5) {
            let at = rng.random_range(0..=chars.len());
            match rng.random_range(0..3) {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 if at < chars.len() => chars[at] = TEXT[rng.random_range(0..TEXT.len())],
                _ => chars.insert(at, TEXT[rng.random_range(0..TEXT.len())]),
            }
        }
        chars.into_iter().collect()
    }

    fn show(pattern: &[Tok]) -> String {
        pattern
            .iter()
            .map(|t| match t {
                Tok::Char(c) => format!("'{c}'"),
                Tok::Star => "*".into(),
                Tok::Quest => "?".into(),
            })
            .collect()
    }

    /// The reading `glob_match_ci` promises: ASCII-lower-case both sides, then `glob_match`.
    fn old_glob_ci(pattern: &[Tok], text: &str) -> bool {
        let lower: Vec<Tok> = pattern
            .iter()
            .map(|t| match *t {
                Tok::Char(c) => Tok::Char(c.to_ascii_lowercase()),
                t => t,
            })
            .collect();
        old::glob_match(&lower, &text.to_ascii_lowercase())
    }

    /// Counts of (comparisons, matches) per function, so a degenerate generator that never
    /// matches cannot pass silently.
    #[derive(Default)]
    struct Tally {
        cases: usize,
        hits: usize,
    }

    impl Tally {
        fn check(&mut self, name: &str, new: bool, old: bool, pattern: &[Tok], text: &str) {
            assert_eq!(new, old, "{name}: pattern {} text {text:?}", show(pattern));
            self.cases += 1;
            self.hits += usize::from(new);
        }
    }

    #[test]
    fn random_patterns_answer_as_before() {
        let mut rng = ChaCha8Rng::seed_from_u64(0x6176_656c_676c_6f62);
        let [mut glob, mut ci, mut res, mut arn] = <[Tally; 4]>::default();
        for _ in 0..250_000 {
            let pattern = random_pattern(&mut rng);
            let text = if rng.random_bool(0.7) {
                text_for(&mut rng, &pattern)
            } else {
                random_text(&mut rng, 16)
            };
            let (p, t) = (&pattern[..], &text[..]);
            glob.check("glob_match", glob_match(p, t), old::glob_match(p, t), p, t);
            ci.check(
                "glob_match_ci",
                glob_match_ci(p, t),
                old_glob_ci(p, t),
                p,
                t,
            );
            res.check(
                "resource_matches",
                resource_matches(p, t),
                old::resource_matches(p, t),
                p,
                t,
            );
            arn.check("arn_like", arn_like(p, t), old::arn_like(p, t), p, t);
            assert_eq!(is_arn(t), old::is_arn(t), "is_arn {t:?}");
        }
        for (name, tally) in [("glob", glob), ("ci", ci), ("res", res), ("arn", arn)] {
            assert!(tally.cases >= 200_000);
            assert!(
                tally.hits * 20 > tally.cases,
                "{name}: only {} of {} matched",
                tally.hits,
                tally.cases
            );
        }
    }

    /// The resource matcher on real-looking ARNs, where `*` and `?` sit in every head segment.
    #[test]
    fn random_arn_shaped_resources_answer_as_before() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let words = [
            "arn",
            "aws",
            "s3",
            "",
            "us-east-1",
            "1",
            "b/k",
            "x:y",
            "*",
            "?",
            "a*b",
        ];
        let mut hits = 0;
        for _ in 0..100_000 {
            let n = rng.random_range(4..8);
            let parts: Vec<&str> = (0..n)
                .map(|_| words[rng.random_range(0..words.len())])
                .collect();
            let pattern = g(&parts.join(":"));
            let text = text_for(&mut rng, &pattern);
            let new = resource_matches(&pattern, &text);
            assert_eq!(
                new,
                old::resource_matches(&pattern, &text),
                "{parts:?} {text:?}"
            );
            assert_eq!(arn_like(&pattern, &text), old::arn_like(&pattern, &text));
            hits += usize::from(new);
        }
        assert!(hits > 10_000, "{hits}");
    }

    /// Patterns long enough to use every live-set size: one word, the small stack set, the
    /// large stack set and the heap fallback, with middles on both sides of each boundary.
    #[test]
    fn long_patterns_answer_as_before_at_every_bitset_size() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        // A pattern of `n` tokens has `n + 1` positions: 63 fills one word, 255 the small
        // stack set, 4159 the large one; one more token needs the next size.
        for middle in [62, 63, 64, 65, 127, 128, 255, 256, 1000, 4159, 4160] {
            let rounds = if middle > 1000 { 2 } else { 40 };
            for round in 0..rounds {
                // A wildcard at both ends keeps the whole middle in the automaton.
                let mut pattern = vec![Tok::Star];
                pattern.extend((0..middle - 2).map(|_| PAT[rng.random_range(0..PAT.len())]));
                pattern.push(if round % 2 == 0 {
                    Tok::Star
                } else {
                    Tok::Quest
                });
                assert_eq!(pattern.len(), middle);
                let text = text_for(&mut rng, &pattern);
                let (p, t) = (&pattern[..], &text[..]);
                assert_eq!(glob_match(p, t), old::glob_match(p, t), "{middle}");
                assert_eq!(glob_match_ci(p, t), old_glob_ci(p, t), "{middle}");
                assert_eq!(resource_matches(p, t), old::resource_matches(p, t));
                assert_eq!(arn_like(p, t), old::arn_like(p, t));
            }
        }
    }

    #[test]
    fn star_glob_agrees_with_the_glob_matcher() {
        // Every pattern the shortcut accepts must answer exactly as the full matcher.
        let pieces = ["", "a", "ab", "*", "?", "é", "/", "b*", "*a", "a*b"];
        let texts = [
            "", "a", "ab", "ba", "aab", "é", "a/é", "*", "?", "abab", "aba", "bab", "aéb/a",
            "ababab",
        ];
        let mut shortcut = 0;
        for x in pieces {
            for y in pieces {
                for z in pieces {
                    let pattern = format!("{x}{y}{z}");
                    for e in texts {
                        if let Some(hit) = star_glob(&pattern, e) {
                            shortcut += 1;
                            assert_eq!(
                                hit,
                                glob_match(&Tok::glob(&pattern), e),
                                "{pattern:?} {e:?}"
                            );
                        }
                    }
                }
            }
        }
        assert!(
            shortcut > 1000,
            "the shortcut is taken for the simple shapes"
        );
        assert_eq!(star_glob("a?b", "axb"), None);
        assert_eq!(star_glob("*", "anything"), Some(true));
        // Prefix and suffix must not share characters; pieces are found in order.
        assert_eq!(star_glob("ab*ba", "aba"), Some(false));
        assert_eq!(star_glob("a*b*a", "aba"), Some(true));
        assert_eq!(star_glob("a*bb*a", "abba"), Some(true));
        assert_eq!(star_glob("a*b*b*a", "abba"), Some(true));
        assert_eq!(star_glob("a*b*b*a", "aba"), Some(false));
        assert_eq!(
            star_glob("*admin*", "arn:aws:iam::1:role/team-admin-x"),
            Some(true)
        );
    }

    #[test]
    fn star_glob_agrees_with_the_glob_matcher_on_longer_patterns() {
        // Seeded: patterns and texts of up to 12 pieces over an alphabet that makes pieces
        // repeat and overlap, where a greedy search would go wrong if it could.
        let alphabet = ["a", "b", "ab", "ba", "*", "*", "é", ":"];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut draw = |stars: bool| {
            let n = next() % 12;
            (0..n)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .filter(|p| stars || *p != "*")
                .collect::<String>()
        };
        let mut hits = 0;
        for _ in 0..20_000 {
            let (pattern, text) = (draw(true), draw(false));
            let want = glob_match(&Tok::glob(&pattern), &text);
            assert_eq!(
                star_glob(&pattern, &text),
                Some(want),
                "{pattern:?} {text:?}"
            );
            hits += usize::from(want);
        }
        assert!(hits > 1000, "both answers are exercised ({hits} matches)");
    }

    #[test]
    fn resource_stars_agree_with_resource_matches() {
        let patterns = [
            "arn:aws:ec2:*:111122223333:instance/*",
            "arn:aws:s3:::b*t/*/x*",
            "arn:aws:iam::*:role/*admin*",
            "arn:aws:s3:*",
            "arn:aws:*:*:*:*",
            "arn:aws:s3:x*y:::b",
            "arn:aws:s3:::b?",
            "arn*:s3:::b",
            "*",
            "**",
            "arn:aws:sqs:*:1:*",
            "arn:*",
        ];
        let resources = [
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
            "arn:aws:ec2::111122223333:instance/",
            "arn:aws:s3:::bucket/a/xy",
            "arn:aws:s3:::bt/a/b/x",
            "arn:aws:s3:::b:t/a/x",
            "arn:aws:iam::1:role/team-admin",
            "arn:aws:iam::1:role/x",
            "arn:aws:s3:xay:::b",
            "arn:aws:s3:x:a:y:::b",
            "arn:aws:sqs:eu-west-1:1:q:x",
            "arn:aws:s3:::b",
            // Not ARNs, or `*`: no pattern but `*` matches them, whatever the text says.
            "arn:aws:s3:x",
            "arn:aws:sqs:*:1",
            "*",
            "",
        ];
        let mut fast = 0;
        for p in patterns {
            let toks = Tok::glob(p);
            let Some(text) = resource_stars(&toks) else {
                continue;
            };
            fast += 1;
            assert_eq!(text, p);
            for r in resources {
                let want = resource_matches(&toks, r);
                assert_eq!(resource_star_matches(&text, r), want, "{p:?} {r:?}");
            }
        }
        assert!(fast >= 7, "the common shapes qualify ({fast})");
        assert_eq!(resource_stars(&Tok::glob("arn:aws:s3:x*y:::b")), None);
        assert_eq!(resource_stars(&Tok::glob("arn:aws:s3:::b?")), None);
        assert_eq!(resource_stars(&[Tok::Char('*'), Tok::Star]), None);
    }
}
