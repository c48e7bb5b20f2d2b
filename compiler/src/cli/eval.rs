//! `gavel eval`: decide conformance cases, or explain one request.

use crate::conformance::{answer, parse_case};
use crate::json;
use crate::model::PolicyType;
use crate::reference::{NamedPolicy, Options, PolicySet, decide, rcp_full_aws_access};
use clap::Args;
use gavel_runtime::{Decision, Explanation, Principal, Request, services};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `gavel eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    // Fields are read by `eval_org` too.
    /// Conformance cases (JSON Lines); prints one JSON answer per line.
    #[arg(long, conflicts_with_all = ["principal", "action"])]
    pub(super) cases: Option<PathBuf>,
    /// Identity-based policy files of the principal (repeatable).
    #[arg(long = "identity-policy")]
    pub(super) identity_policies: Vec<PathBuf>,
    /// The resource's resource-based policy (the trust policy for role assumption).
    #[arg(long)]
    pub(super) resource_policy: Option<PathBuf>,
    /// The permissions boundary.
    #[arg(long)]
    pub(super) boundary: Option<PathBuf>,
    /// Session policy files (repeatable).
    #[arg(long = "session-policy")]
    pub(super) session_policies: Vec<PathBuf>,
    /// One SCP level of the principal's account, root first: comma-separated files (repeatable).
    #[arg(long = "scp-level")]
    pub(super) scp_levels: Vec<String>,
    /// One RCP level of the resource's account, root first: comma-separated files, `-` for
    /// none besides RCPFullAWSAccess (repeatable).
    #[arg(long = "rcp-level")]
    pub(super) rcp_levels: Vec<String>,
    /// The caller: an ARN, a service principal, or `anonymous`.
    #[arg(long, required_unless_present = "cases")]
    pub(super) principal: Option<String>,
    /// The action, `service:Action`.
    #[arg(long, required_unless_present = "cases")]
    pub(super) action: Option<String>,
    /// The resource ARN, or `*`.
    #[arg(long, default_value = "*")]
    pub(super) resource: String,
    /// The account that owns the resource (default: the ARN's, else the principal's).
    #[arg(long)]
    pub(super) resource_account: Option<String>,
    /// A context key: `key=value`, or `key=["a","b"]` for a multivalued key (repeatable).
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub(super) context: Vec<String>,
    /// The role ARN (with path) of a role-session principal.
    #[arg(long)]
    pub(super) role_arn: Option<String>,
    /// The IAM user that created a federated-user session.
    #[arg(long)]
    pub(super) parent_arn: Option<String>,
    /// Print the single-request answer as JSON.
    #[arg(long)]
    pub(super) json: bool,
    /// Decide against an organization (a manifest): the principal's policies, the SCP and RCP
    /// chains and the resource's policy come from it, and principal keys are derived.
    #[arg(long)]
    pub(super) org: Option<PathBuf>,
    /// Decide against a compiled organization (a decision file from `gavel compile`), with the
    /// same interface as `--org`: one request explained, or `--cases`.
    #[arg(long, conflicts_with = "org")]
    pub(super) compiled: Option<PathBuf>,
    /// With `--org`: managed-policy files (JSON Lines, like the AWS managed policy corpus) that
    /// resolve attachments a dump does not contain (repeatable).
    #[arg(long = "managed-policies")]
    pub(super) managed_policies: Vec<PathBuf>,
    /// With `--org`: the session the principal acts with (JSON from `gavel assume-role`).
    #[arg(long)]
    pub(super) session: Option<PathBuf>,
    /// With `--org`: the request time, epoch seconds or RFC 3339 (default: now).
    #[arg(long)]
    pub(super) time: Option<String>,
    /// Which evaluator decides `--cases`: the reference interpreter, or the compiled runtime
    /// (each case, or the organization, compiled to a decision file, loaded back and decided
    /// by `gavel-runtime`). Answers have the same format either way.
    #[arg(long, value_enum, default_value_t = EngineChoice::Reference)]
    pub(super) engine: EngineChoice,
}

/// The evaluator behind `gavel eval`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineChoice {
    /// The reference interpreter (the executable spec).
    Reference,
    /// The compiled decision tables, through a decision file.
    Compiled,
}

/// Runs `gavel eval`.
pub fn run(args: &EvalArgs) -> ExitCode {
    if let Some(file) = &args.compiled {
        return match super::eval_org::run_compiled(file, args) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        };
    }
    if let Some(org) = &args.org {
        return match super::eval_org::run(org, args) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        };
    }
    match &args.cases {
        Some(path) => run_cases(path, args.engine),
        None => match run_one(args) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(2)
            }
        },
    }
}

/// Prints the summary line and returns the exit code for a cases run.
pub(super) fn finish(total: usize, passed: usize, failed: usize, errors: usize) -> ExitCode {
    if passed + failed > 0 || errors > 0 {
        eprintln!("{total} cases: {passed} passed, {failed} failed, {errors} unreadable");
        eprintln!("{passed} passed, {} failed", failed + errors);
    }
    if failed > 0 || errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn run_cases(path: &Path, engine: EngineChoice) -> ExitCode {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let opts = Options::default();
    let (mut passed, mut failed, mut errors, mut total) = (0usize, 0usize, 0usize, 0usize);
    let mut out = std::io::stdout().lock();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line_no = i + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: {}:{line_no}: {e}", path.display());
                errors += 1;
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        total += 1;
        let v = match parse_case(&line, line_no) {
            Ok(case) => {
                let e = match engine {
                    EngineChoice::Reference => decide(&case.set, &case.request, &opts),
                    EngineChoice::Compiled => super::compiled::decide_case(&case),
                };
                if let Some(exp) = case.expect {
                    if exp == e.decision {
                        passed += 1;
                    } else {
                        failed += 1;
                        eprintln!(
                            "disagree: {} (line {line_no}): expected {exp}, got {} ({})",
                            case.id,
                            e.decision,
                            e.basis.describe()
                        );
                    }
                }
                answer(&case.id, &e, case.expect)
            }
            Err(err) => {
                errors += 1;
                eprintln!("error: {}:{}", path.display(), err.message);
                serde_json::json!({"id": err.id, "error": format!("{}:{}", path.display(), err.message)})
            }
        };
        if writeln!(out, "{v}").is_err() {
            return ExitCode::FAILURE;
        }
    }
    finish(total, passed, failed, errors)
}

fn load(path: &Path, ty: PolicyType) -> Result<NamedPolicy, String> {
    let text = super::read_file(path)?;
    let name = path.display().to_string();
    match json::parse_policy(&text, ty) {
        Ok(parsed) => {
            for w in &parsed.warnings {
                eprint!("{}", w.render(&name, &text));
            }
            Ok(NamedPolicy {
                name,
                policy: parsed.value,
            })
        }
        Err(d) => Err(d.render(&name, &text)),
    }
}

fn load_level(spec: &str, ty: PolicyType) -> Result<Vec<NamedPolicy>, String> {
    spec.split(',')
        .filter(|s| !s.is_empty() && *s != "-")
        .map(|f| load(Path::new(f), ty))
        .collect()
}

fn run_one(args: &EvalArgs) -> Result<ExitCode, String> {
    let principal_text = args.principal.clone().unwrap_or_default();
    let action = args.action.clone().unwrap_or_default();
    let mut principal = Principal::parse(&principal_text).map_err(|e| format!("error: {e}"))?;
    if let Some(r) = &args.role_arn {
        principal.set_role_arn(r);
    }
    principal.parent_arn.clone_from(&args.parent_arn);
    let context =
        super::org_args::parse_context(&args.context).map_err(|e| format!("error: {e}"))?;
    let mut set = PolicySet::default();
    for p in &args.identity_policies {
        set.identity.push(load(p, PolicyType::Identity)?);
    }
    if let Some(p) = &args.resource_policy {
        let ty = if services::is_role_arn(&args.resource) {
            PolicyType::Trust
        } else {
            PolicyType::Resource
        };
        set.resource = Some(load(p, ty)?);
    }
    if let Some(p) = &args.boundary {
        set.boundaries.push(load(p, PolicyType::Boundary)?);
    }
    for p in &args.session_policies {
        set.session.push(load(p, PolicyType::Session)?);
    }
    if !args.scp_levels.is_empty() {
        set.scps = Some(
            args.scp_levels
                .iter()
                .map(|l| load_level(l, PolicyType::Scp))
                .collect::<Result<_, _>>()?,
        );
    }
    if !args.rcp_levels.is_empty() {
        let mut levels: Vec<Vec<NamedPolicy>> = args
            .rcp_levels
            .iter()
            .map(|l| load_level(l, PolicyType::Rcp))
            .collect::<Result<_, _>>()?;
        for l in &mut levels {
            l.insert(0, rcp_full_aws_access());
        }
        set.rcps = Some(levels);
    }
    let request = Request {
        principal,
        action,
        resource: args.resource.clone(),
        resource_account: args.resource_account.clone(),
        context,
        session: None,
        time: None,
    };
    let e = decide(&set, &request, &Options::default());
    if args.json {
        println!("{}", crate::conformance::answer("request", &e, None));
    } else {
        print!("{}", explain(&set, &request, &e));
    }
    Ok(if e.decision == Decision::Allow {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A human explanation of a decision, like the IAM policy simulator's.
pub fn explain(set: &PolicySet, req: &Request, e: &Explanation) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "decision: {}", e.decision);
    let _ = writeln!(
        s,
        "  request: {} {} on {}",
        display_principal(req),
        req.action,
        req.resource
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
        let loc = find_statement(set, st)
            .map(|l| format!(" at {}:{}", l.line, l.col))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "    {} {} policy `{}` statement #{}{sid}{loc}",
            st.effect.as_str(),
            st.kind.label(),
            st.policy,
            st.index
        );
    }
    s
}

fn display_principal(req: &Request) -> String {
    if req.principal.arn.is_empty() {
        "anonymous".into()
    } else {
        req.principal.arn.clone()
    }
}

fn find_statement(set: &PolicySet, st: &gavel_runtime::StatementRef) -> Option<crate::model::Loc> {
    use gavel_runtime::PolicyKind as K;
    let pools: Vec<&NamedPolicy> = match st.kind {
        K::Identity => set.identity.iter().collect(),
        K::Resource => set.resource.iter().collect(),
        K::Boundary => set.boundaries.iter().collect(),
        K::Session => set.session.iter().collect(),
        K::Scp(l) => set.scps.as_ref()?.get(usize::from(l))?.iter().collect(),
        K::Rcp(l) => set.rcps.as_ref()?.get(usize::from(l))?.iter().collect(),
    };
    let p = pools.into_iter().find(|p| p.name == st.policy)?;
    p.policy.statements.get(st.index).map(|s| s.loc)
}
