//! Agreement between evaluators (STYLE.md 12, 14): every evaluator implements [`Evaluator`],
//! and [`compare`] runs one case through several of them and, on any difference in decision or
//! deciding statements, reports the policies, the request and every answer.

use crate::conformance::Case;
use crate::json::policy_to_json;
use crate::lower::{CompileOptions, compile_case, runtime_request};
use crate::org::OrgRequest;
use crate::reference::{NamedPolicy, Options, decide};
use gavel_runtime::Engine;
use gavel_runtime::Explanation;
use gavel_runtime::tables::Tables;
use std::fmt::Write as _;

/// Something that decides conformance cases: the reference interpreter, the compiled tables
/// in memory, the compiled file loaded back.
pub trait Evaluator {
    /// A short name for reports.
    fn name(&self) -> &str;
    /// Decides the case's request against the case's policies.
    fn decide_case(&self, case: &Case) -> Explanation;
}

/// The reference interpreter as an [`Evaluator`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Reference {
    /// The interpreter's options.
    pub options: Options,
}

impl Evaluator for Reference {
    fn name(&self) -> &str {
        "reference"
    }

    fn decide_case(&self, case: &Case) -> Explanation {
        decide(&case.set, &case.request, &self.options)
    }
}

/// The compiled tables in memory as an [`Evaluator`]: each case's policies are compiled on
/// their own (`lower::compile_case`) and decided by the runtime's evaluator.
#[derive(Clone, Debug, Default)]
pub struct CompiledInMemory {
    /// Compiler options.
    pub options: CompileOptions,
}

impl Evaluator for CompiledInMemory {
    fn name(&self) -> &str {
        "compiled (in memory)"
    }

    fn decide_case(&self, case: &Case) -> Explanation {
        match compile_case(&case.set, &self.options) {
            Ok(tables) => {
                let explained = gavel_runtime::eval::authorize_explain(&tables, &case.request);
                let decision = gavel_runtime::eval::authorize(&tables, &case.request);
                if decision != explained.decision {
                    return Explanation::error(format!(
                        "authorize said {decision}, authorize_explain said {}",
                        explained.decision
                    ));
                }
                explained
            }
            Err(e) => Explanation::error(e.to_string()),
        }
    }
}

/// The compiled tables written to a decision file and loaded back as an [`Evaluator`]: each
/// case is compiled, encoded (`Tables::to_bytes`), validated and decoded by
/// `Engine::from_bytes`, and decided by the engine.
#[derive(Clone, Debug, Default)]
pub struct CompiledFile {
    /// Compiler options.
    pub options: CompileOptions,
}

impl Evaluator for CompiledFile {
    fn name(&self) -> &str {
        "compiled (file)"
    }

    fn decide_case(&self, case: &Case) -> Explanation {
        let tables = match compile_case(&case.set, &self.options) {
            Ok(t) => t,
            Err(e) => return Explanation::error(e.to_string()),
        };
        match Engine::from_bytes(tables.to_bytes()) {
            Ok(engine) => engine_answer(&engine, &case.request),
            Err(e) => Explanation::error(format!("the decision file does not load: {e}")),
        }
    }
}

/// The engine's explanation, checked against its decision-only answer.
pub fn engine_answer(engine: &Engine, request: &gavel_runtime::Request) -> Explanation {
    let explained = engine.authorize_explain(request);
    let decision = engine.authorize(request);
    if decision != explained.decision {
        return Explanation::error(format!(
            "authorize said {decision}, authorize_explain said {}",
            explained.decision
        ));
    }
    explained
}

/// Decides an organization request with an engine (the request converted by
/// `lower::runtime_request`, whose errors deny as `reference::decide_org`'s do).
pub fn decide_org_engine(engine: &Engine, req: &OrgRequest) -> Explanation {
    match runtime_request(req) {
        Ok(r) => engine_answer(engine, &r),
        Err(e) => Explanation::error(e.to_string()),
    }
}

/// Decides an organization request on compiled tables: the request converted as the library
/// does (`lower::runtime_request`), its errors denying as `reference::decide_org` does.
pub fn decide_org_compiled(tables: &Tables, req: &OrgRequest) -> Explanation {
    match runtime_request(req) {
        Ok(r) => {
            let explained = gavel_runtime::eval::authorize_explain(tables, &r);
            let decision = gavel_runtime::eval::authorize(tables, &r);
            if decision != explained.decision {
                return Explanation::error(format!(
                    "authorize said {decision}, authorize_explain said {}",
                    explained.decision
                ));
            }
            explained
        }
        Err(e) => Explanation::error(e.to_string()),
    }
}

/// Two answers agree when their decisions and deciding statements are identical.
pub fn same_answer(a: &Explanation, b: &Explanation) -> bool {
    a.decision == b.decision && a.statements == b.statements
}

fn policies_json(label: &str, policies: &[NamedPolicy], out: &mut String) {
    for p in policies {
        let _ = writeln!(out, "  {label} `{}`: {}", p.name, policy_to_json(&p.policy));
    }
}

/// Runs `case` through every evaluator; `Err` describes the case and every answer when any
/// two disagree.
pub fn compare(case: &Case, evaluators: &[&dyn Evaluator]) -> Result<Explanation, String> {
    let answers: Vec<(String, Explanation)> = evaluators
        .iter()
        .map(|e| (e.name().to_string(), e.decide_case(case)))
        .collect();
    let Some((_, first)) = answers.first() else {
        return Err("no evaluator to compare".into());
    };
    if answers.iter().all(|(_, a)| same_answer(a, first)) {
        return Ok(first.clone());
    }
    let mut out = format!("evaluators disagree on case `{}`\n", case.id);
    let r = &case.request;
    let _ = writeln!(
        out,
        "  request: {:?} {} on {} (resource account {:?}), context {:?}",
        r.principal.arn,
        r.action,
        r.resource,
        r.resource_account,
        r.context.iter().collect::<Vec<_>>()
    );
    policies_json("identity", &case.set.identity, &mut out);
    policies_json("resource", case.set.resource.as_slice(), &mut out);
    policies_json("boundary", &case.set.boundaries, &mut out);
    policies_json("session", &case.set.session, &mut out);
    for (l, level) in case.set.scps.iter().flatten().enumerate() {
        policies_json(&format!("scp[{l}]"), level, &mut out);
    }
    for (l, level) in case.set.rcps.iter().flatten().enumerate() {
        policies_json(&format!("rcp[{l}]"), level, &mut out);
    }
    for (name, a) in &answers {
        let _ = writeln!(
            out,
            "  {name}: {} ({}) {:?}",
            a.decision,
            a.basis.describe(),
            a.statements
        );
    }
    Err(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::parse_case;
    use gavel_runtime::{Decision, DenyBasis};

    /// An evaluator that always says the same thing, to prove `compare` notices differences.
    struct Constant(Decision);

    impl Evaluator for Constant {
        fn name(&self) -> &str {
            "constant"
        }
        fn decide_case(&self, _: &Case) -> Explanation {
            Explanation::bare(self.0, DenyBasis::NoGrant)
        }
    }

    #[test]
    fn compare_reports_every_answer_on_a_difference() {
        let line = r#"{"id":"t","identityPolicies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}],"request":{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"*"}}"#;
        let case = parse_case(line, 1).unwrap_or_else(|e| panic!("{}", e.message));
        let reference = Reference::default();
        assert!(
            compare(&case, &[&reference, &reference]).is_ok_and(|e| e.decision == Decision::Allow)
        );
        let err = compare(&case, &[&reference, &Constant(Decision::ImplicitDeny)])
            .err()
            .unwrap_or_default();
        assert!(err.contains("evaluators disagree on case `t`"), "{err}");
        assert!(err.contains("reference: Allow"), "{err}");
        assert!(err.contains("constant: ImplicitDeny"), "{err}");
        assert!(err.contains(r#""Action":"s3:*""#), "{err}");
    }
}
