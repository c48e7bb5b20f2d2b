//! Wildcard, resource and ARN matching (spec §3.1-§3.3, §4.6 ARN).
