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
use crate::tables::{Policy, Statement};

/// A policy as its section gives it: the statements come from section `statements`.
pub(super) struct Head {
    /// The policy's name.
    pub name: String,
    /// Its any-service flag.
    pub any_service: bool,
    /// How many statements it takes.
    pub statements: usize,
    /// Its service ids.
    pub services: Vec<u32>,
}

/// Reads the section; the statements are decoded afterwards, straight into each policy
/// (`statements::read`), which checks the counts.
pub(super) fn read(r: &mut Reader<'_, '_>) -> Result<Vec<Head>, LoadError> {
    let n = r.count(4 * WORD, "policy count")?;
    let mut heads = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.string("policy name")?;
        let any_service = r.bool("policy's any-service flag")?;
        let statements = r.usize("statement count")?;
        let services = r.ids("policy's service ids")?;
        heads.push(Head {
            name,
            any_service,
            statements,
            services,
        });
    }
    Ok(heads)
}

/// The policies of `heads`, each with its statements, in a list with room for `more`.
pub(super) fn assemble(
    heads: Vec<Head>,
    statements: Vec<Vec<Statement>>,
    more: usize,
) -> Vec<Policy> {
    let mut policies = Vec::with_capacity(heads.len().saturating_add(more));
    policies.extend(
        heads
            .into_iter()
            .zip(statements)
            .map(|(h, statements)| Policy {
                name: h.name,
                statements,
                services: h.services,
                any_service: h.any_service,
            }),
    );
    policies
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
