//! Deciding a request against a whole organization (spec §6 over §1.2's policy sets).

use super::{Options, decide};
use crate::org::{OrgRequest, Organization, ResolveError, resolve};
use gavel_runtime::{Decision, DenyBasis, Explanation};

/// Resolves the caller and resource in `org`, gathers the policy sets and the derived context,
/// and decides. A request the organization cannot account for is denied with the reason.
pub fn decide_org(org: &Organization, req: &OrgRequest, opts: &Options) -> Explanation {
    match resolve(org, req) {
        Ok(r) => decide(&r.set, &r.request, opts),
        Err(ResolveError::Expired(arn, at)) => Explanation::bare(
            Decision::ImplicitDeny,
            DenyBasis::SessionExpired(format!("session `{arn}` expired at {at}")),
        ),
        Err(e) => Explanation::error(e.to_string()),
    }
}
