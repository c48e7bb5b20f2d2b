//! Wildcard, resource and ARN matching (spec §3.1-§3.3, §4.6 ARN). TEMPORARY STUB.
use crate::model::pattern::{ActionPattern, Tok};

/// Anchored glob.
pub fn glob_match(pattern: &[Tok], text: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let mut dp = vec![false; t.len() + 1];
    dp[0] = true;
    for p in pattern {
        let mut next = vec![false; t.len() + 1];
        for j in 0..=t.len() {
            match p {
                Tok::Star => next[j] = dp[j] || (j > 0 && next[j - 1]),
                Tok::Quest => next[j] = j > 0 && dp[j - 1],
                Tok::Char(c) => next[j] = j > 0 && dp[j - 1] && t[j - 1] == *c,
            }
        }
        dp = next;
    }
    dp[t.len()]
}

/// Action matching.
pub fn action_matches(pattern: &ActionPattern, action: &str) -> bool {
    match pattern {
        ActionPattern::Any => true,
        ActionPattern::Never { .. } => false,
        ActionPattern::Named { service, name, .. } => {
            let Some((s, n)) = action.split_once(':') else { return false };
            let toks: Vec<Tok> = name.chars().map(|c| match c { '*' => Tok::Star, '?' => Tok::Quest, c => Tok::Char(c) }).collect();
            s.eq_ignore_ascii_case(service) && glob_match(&toks, &n.to_lowercase())
        }
    }
}

/// Resource matching.
pub fn resource_matches(pattern: &[Tok], resource: &str) -> bool {
    if pattern == [Tok::Star] { return true; }
    if resource == "*" { return false; }
    glob_match(pattern, resource)
}
