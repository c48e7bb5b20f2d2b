//! `gavel eval --org`: decide requests against an organization.

use super::eval::{EngineChoice, EvalArgs, explain, finish};
use super::org_args::{load_org, load_session, parse_context, parse_time};
use crate::conformance::{answer, parse_org_case};
use crate::org::{OrgRequest, Organization, resolve};
use crate::reference::{Options, decide, decide_org};
use gavel_runtime::Decision;
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

/// The request the command line describes.
fn request_of(args: &EvalArgs) -> Result<OrgRequest, String> {
    let mut req = OrgRequest {
        principal: args.principal.clone().unwrap_or_default(),
        action: args.action.clone().unwrap_or_default(),
        resource: args.resource.clone(),
        resource_account: args.resource_account.clone(),
        context: parse_context(&args.context)?,
        session: None,
        time: args.time.as_deref().map(parse_time).transpose()?,
    };
    if let Some(s) = &args.session {
        req.session = Some(load_session(s)?);
    }
    Ok(req)
}

/// Runs `gavel eval --compiled FILE …`: the decision file answers, through `gavel-runtime`.
pub fn run_compiled(file: &Path, args: &EvalArgs) -> Result<ExitCode, String> {
    let engine =
        gavel_runtime::Engine::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    if let Some(cases) = &args.cases {
        return run_cases_with(cases, |r| super::compiled::decide_org_request(&engine, r));
    }
    let req = request_of(args)?;
    let e = super::compiled::decide_org_request(&engine, &req);
    if args.json {
        println!("{}", answer("request", &e, None));
    } else {
        print!("{}", explain_compiled(&req, &e));
    }
    Ok(if e.decision == Decision::Allow {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// An explanation without source locations (the decision file keeps statement indexes, not
/// positions).
fn explain_compiled(req: &OrgRequest, e: &gavel_runtime::Explanation) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "decision: {}", e.decision);
    let _ = writeln!(
        s,
        "  request: {} {} on {}",
        req.principal, req.action, req.resource
    );
    let _ = writeln!(s, "  why: {}", e.basis.describe());
    if !e.statements.is_empty() {
        let _ = writeln!(s, "  deciding statements:");
    }
    for st in &e.statements {
        let sid = st
            .sid
            .as_ref()
            .map(|x| format!(" (Sid `{x}`)"))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "    {} {} policy `{}` statement #{}{sid}",
            st.effect.as_str(),
            st.kind.label(),
            st.policy,
            st.index
        );
    }
    s
}

/// Runs `gavel eval --org PATH …`.
pub fn run(org_path: &Path, args: &EvalArgs) -> Result<ExitCode, String> {
    let org = load_org(org_path, &args.managed_policies)?;
    if let Some(cases) = &args.cases {
        return run_cases(&org, cases, args.engine);
    }
    let req = request_of(args)?;
    let opts = Options::default();
    let (e, text) = match resolve(&org, &req) {
        Ok(r) => {
            let e = decide(&r.set, &r.request, &opts);
            let text = explain(&r.set, &r.request, &e);
            (e, text)
        }
        Err(_) => {
            let e = decide_org(&org, &req, &opts);
            let text = format!("decision: {}\n  why: {}\n", e.decision, e.basis.describe());
            (e, text)
        }
    };
    if args.json {
        println!("{}", answer("request", &e, None));
    } else {
        print!("{text}");
    }
    Ok(if e.decision == Decision::Allow {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Decides every org-level case of a file against `org`.
pub fn run_cases(
    org: &Organization,
    path: &Path,
    engine: EngineChoice,
) -> Result<ExitCode, String> {
    let opts = Options::default();
    match engine {
        EngineChoice::Reference => run_cases_with(path, |r| decide_org(org, r, &opts)),
        EngineChoice::Compiled => {
            let engine = super::compiled::engine_for_org(org)?;
            run_cases_with(path, |r| super::compiled::decide_org_request(&engine, r))
        }
    }
}

/// Decides every org-level case of a file with `decide`.
fn run_cases_with(
    path: &Path,
    decide: impl Fn(&OrgRequest) -> gavel_runtime::Explanation,
) -> Result<ExitCode, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let (mut passed, mut failed, mut errors, mut total) = (0, 0, 0, 0);
    let mut out = std::io::stdout().lock();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| e.to_string())?;
        if line.trim().is_empty() {
            continue;
        }
        total += 1;
        let v = match parse_org_case(&line) {
            Ok(case) => {
                let e = decide(&case.request);
                if let Some(exp) = case.expect {
                    if exp == e.decision {
                        passed += 1;
                    } else {
                        failed += 1;
                        eprintln!(
                            "disagree: {} (line {}): expected {exp}, got {} ({})",
                            case.id,
                            i + 1,
                            e.decision,
                            e.basis.describe()
                        );
                    }
                }
                answer(&case.id, &e, case.expect)
            }
            Err(err) => {
                errors += 1;
                let id = err.id;
                let message = format!("{}:{}: {}", path.display(), i + 1, err.message);
                eprintln!("error: {message}");
                serde_json::json!({"id": id, "error": message})
            }
        };
        writeln!(out, "{v}").map_err(|e| e.to_string())?;
    }
    Ok(finish(total, passed, failed, errors))
}
