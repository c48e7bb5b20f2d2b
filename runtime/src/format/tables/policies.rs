//! Section `policies` (kind 7): every distinct compiled policy; a policy id is an index here.
//!
//! ```text
//!  ┌───────────┬───────────────────────────────────────────────────────────────────┐
//!  │ count u32 │ policy × count                                                    │
//!  └───────────┴───────────────────────────────────────────────────────────────────┘
//!  policy: str name, u32 any_service (0/1), u32 statement count, ids services
//!          statement count: takes the next that many statements of section `statements`
//!          services: sorted service ids (into section `actions`)
//! ```

#[cfg(feature = "write")]
use super::codec::Writer;
use super::codec::{Reader, WORD};
use crate::format::error::LoadError;
use crate::format::wire::wide;
use crate::tables::{Policy, Statement};

/// Reads the section; policies take their statements, in order, from the decoded
/// `statements` section.
pub(super) fn read(
    r: &mut Reader<'_, '_>,
    statements: &mut impl Iterator<Item = Statement>,
) -> Result<Vec<Policy>, LoadError> {
    let n = r.count(4 * WORD, "policy count")?;
    let mut policies = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.string("policy name")?;
        let any_service = r.bool("policy's any-service flag")?;
        let n = r.usize("statement count")?;
        let own: Vec<Statement> = statements.by_ref().take(n).collect();
        if own.len() != n {
            return Err(r.err(LoadError::bad_reference(
                "statement count of a policy (statements left in section `statements`)",
                wide(n),
                wide(own.len()),
            )));
        }
        let services = r.ids("policy's service ids")?;
        policies.push(Policy {
            name,
            statements: own,
            services,
            any_service,
        });
    }
    Ok(policies)
}

/// Writes the section.
#[cfg(feature = "write")]
pub(super) fn write(w: &mut Writer<'_>, policies: &[Policy]) {
    w.len(policies.len());
    for p in policies {
        w.str(&p.name);
        w.bool(p.any_service);
        w.len(p.statements.len());
        w.ids(&p.services);
    }
}
