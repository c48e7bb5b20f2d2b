//! Action matching (spec §3.1); the glob, resource and ARN matchers are shared with the
//! compiled runtime and live in [`gavel_runtime::glob`].

use crate::model::ActionPattern;
pub use gavel_runtime::glob::{Tok, arn_like, glob_match, is_arn, resource_matches};

/// Whether an `Action`/`NotAction` entry matches the request action `svc:Name` (spec §3.1).
///
/// `*` matches every action, even one without a colon. A named entry needs the request's
/// service prefix (before its first colon) equal to the entry's, and the entry's name glob to
/// match the rest; both comparisons ignore case, which the lower-cased pattern (see
/// [`ActionPattern::parse`]) and a lower-cased request make a plain comparison. `Never` entries
/// (spec A-8) and request actions without a colon match nothing else.
pub fn action_matches(pattern: &ActionPattern, action: &str) -> bool {
    match pattern {
        ActionPattern::Any => true,
        ActionPattern::Never { .. } => false,
        ActionPattern::Named { service, name, .. } => {
            let Some((req_service, req_name)) = action.split_once(':') else {
                return false;
            };
            let name_glob: Vec<Tok> = name
                .chars()
                .map(|c| match c {
                    '*' => Tok::Star,
                    '?' => Tok::Quest,
                    c => Tok::Char(c),
                })
                .collect();
            req_service.to_lowercase() == *service
                && glob_match(&name_glob, &req_name.to_lowercase())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // ---- action_matches ----

    fn act(s: &str) -> ActionPattern {
        ActionPattern::parse(s)
    }

    #[test]
    fn action_any_matches_everything() {
        assert!(action_matches(&act("*"), "s3:GetObject"));
        assert!(action_matches(&act("*"), "nocolon"));
    }

    #[test]
    fn action_case_insensitive_prefix_and_name() {
        // C-06.
        assert!(action_matches(&act("IAM:get*"), "iam:GetUser"));
        assert!(action_matches(&act("iam:GetUser"), "IAM:getuser"));
        assert!(action_matches(&act("iam:List*"), "iam:ListUsers"));
        assert!(!action_matches(&act("IAM:get*"), "iam:CreatePolicy"));
        assert!(action_matches(
            &act("iam:*Report"),
            "iam:GenerateCredentialReport"
        ));
        assert!(action_matches(
            &act("iam:*Report"),
            "iam:GetOrganizationsAccessReport"
        ));
        assert!(!action_matches(&act("iam:*Report"), "iam:GetReports"));
        assert!(!action_matches(&act("iam:*Report"), "iam:GetUser"));
    }

    #[test]
    fn action_service_must_be_equal() {
        assert!(!action_matches(&act("iam:*"), "ec2:RunInstances"));
        assert!(!action_matches(&act("s3:*"), "s3x:GetObject"));
        assert!(!action_matches(&act("s3:Get*"), "s:3GetObject"));
        assert!(action_matches(&act("s3:*"), "S3:anything"));
    }

    #[test]
    fn action_name_is_anchored_with_quest() {
        assert!(action_matches(
            &act("iam:*AccessKey*"),
            "iam:CreateAccessKey"
        ));
        assert!(action_matches(
            &act("iam:*AccessKey*"),
            "iam:ListAccessKeys"
        ));
        assert!(action_matches(&act("s3:GetObjec?"), "s3:GetObject"));
        assert!(!action_matches(&act("s3:GetObjec?"), "s3:GetObjects"));
        assert!(!action_matches(&act("s3:GetObject"), "s3:GetObjectAcl"));
    }

    #[test]
    fn action_never_and_colonless_requests() {
        assert!(!action_matches(&act("*:Get*"), "s3:GetObject"));
        assert!(!action_matches(&act("s3:"), "s3:"));
        assert!(!action_matches(&act("s3:*"), "s3GetObject"));
        assert!(!action_matches(&act("s3:*"), ""));
    }
}
