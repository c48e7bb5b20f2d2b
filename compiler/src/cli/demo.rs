//! `gavel demo`: the main job on the bundled example organization — load it, answer its example
//! questions, explain each decision, and walk a role assumption end to end.

use super::eval::explain;
use super::org_args::load_org;
use crate::org::{AssumeKind, AssumeRoleInput, OrgRequest, assume_role, resolve};
use crate::reference::{Options, decide};
use clap::Args;
use gavel_runtime::{Context, ContextValue, Decision};
use serde_json::Value;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `gavel demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// The example organization's folder (holds `manifest.json` and `questions.jsonl`).
    #[arg(default_value = "corpus/example-org")]
    dir: PathBuf,
    /// Print only the summary and the disagreements.
    #[arg(long)]
    quiet: bool,
}

fn context_of(v: Option<&Value>) -> Context {
    let mut ctx = Context::new();
    if let Some(obj) = v.and_then(Value::as_object) {
        for (k, v) in obj {
            let value = match v {
                Value::Array(items) => ContextValue::List(
                    items
                        .iter()
                        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                        .collect(),
                ),
                Value::String(s) => ContextValue::Single(s.clone()),
                other => ContextValue::Single(other.to_string()),
            };
            ctx.set(k, value);
        }
    }
    ctx
}

/// Runs `gavel demo`.
pub fn run(args: &DemoArgs) -> ExitCode {
    let manifest = args.dir.join("manifest.json");
    let org = match load_org(&manifest, &[]) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let users: usize = org.accounts.values().map(|a| a.users.len()).sum();
    let roles: usize = org.accounts.values().map(|a| a.roles.len()).sum();
    println!(
        "organization {} loaded from {}: {} accounts, {users} users, {roles} roles, {} managed policies, {} resources with policies or tags",
        org.id.as_deref().unwrap_or("(standalone)"),
        manifest.display(),
        org.accounts.len(),
        org.managed_policies.len(),
        org.resources.len()
    );
    // Compile the organization into a decision file, map it, and answer every question on
    // both paths: the runtime's answer is printed, and it must agree with the reference.
    let file = std::env::temp_dir().join(format!("gavel-demo-{}.gavel", std::process::id()));
    let catalog = super::compile::default_catalog()
        .and_then(|p| super::compile::load_catalog(&p).ok())
        .unwrap_or_default();
    let started = std::time::Instant::now();
    let engine = crate::lower::compile_org(
        &org,
        &crate::lower::CompileOptions {
            catalog,
            no_fold: false,
        },
    )
    .map_err(|e| e.to_string())
    .and_then(|t| {
        gavel_runtime::format::write_file_atomically(&file, &t.to_bytes())
            .map_err(|e| e.to_string())
    })
    .and_then(|()| gavel_runtime::Engine::open(&file).map_err(|e| e.to_string()));
    let engine = match engine {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: compiling the organization: {e}");
            return ExitCode::from(2);
        }
    };
    let size = std::fs::metadata(&file).map_or(0, |m| m.len());
    let _ = std::fs::remove_file(&file);
    println!(
        "compiled to a decision file ({size} bytes) and mapped in {:.1?}; every answer below comes from the compiled runtime and is checked against the reference interpreter\n",
        started.elapsed()
    );
    let questions = match std::fs::read_to_string(args.dir.join("questions.jsonl")) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read the questions: {e}");
            return ExitCode::from(2);
        }
    };
    let opts = Options::default();
    let (mut agree, mut disagree) = (0, 0);
    for line in questions.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(q) = serde_json::from_str::<Value>(line) else {
            eprintln!("error: unreadable question: {line}");
            disagree += 1;
            continue;
        };
        let s = |k: &str| {
            q.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let req = OrgRequest {
            principal: s("principal"),
            action: s("action"),
            resource: s("resource"),
            resource_account: q
                .get("resourceAccount")
                .and_then(Value::as_str)
                .map(str::to_string),
            context: context_of(q.get("context")),
            session: None,
            time: None,
        };
        let (reference, text) = match resolve(&org, &req) {
            Ok(r) => {
                let e = decide(&r.set, &r.request, &opts);
                let text = explain(&r.set, &r.request, &e);
                (e, text)
            }
            Err(e) => (
                gavel_runtime::Explanation::error(e.to_string()),
                format!("decision: ExplicitDeny\n  why: {e}\n"),
            ),
        };
        let compiled = crate::agreement::decide_org_engine(&engine, &req);
        let same = crate::agreement::same_answer(&reference, &compiled);
        let decision = compiled.decision;
        let expect = Decision::parse(&s("expect"));
        let ok = same && expect.is_none_or(|x| x == decision);
        if ok {
            agree += 1;
        } else {
            disagree += 1;
        }
        if !args.quiet || !ok {
            println!("{} {}", s("id"), s("question"));
            print!("{text}");
            if !same {
                println!(
                    "  !! the compiled runtime says {} {:?}, the reference {} {:?}",
                    compiled.decision,
                    compiled.statements,
                    reference.decision,
                    reference.statements
                );
            } else if !ok {
                println!("  !! expected {}", s("expect"));
            }
            println!();
        }
    }

    // A role assumption end to end: GitHub Actions assumes the deploy role through OIDC, then
    // uses the session.
    let deploy = org
        .accounts
        .values()
        .flat_map(|a| a.roles.values())
        .find(|r| r.name == "github-actions-deploy");
    if let Some(role) = deploy {
        let account = role.arn.split(':').nth(4).unwrap_or_default();
        let provider =
            format!("arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com");
        let mut input = AssumeRoleInput {
            kind: AssumeKind::WebIdentity,
            caller: provider,
            role_arn: role.arn.clone(),
            session_name: "GitHubActions".into(),
            ..Default::default()
        };
        input.context.set(
            "token.actions.githubusercontent.com:aud",
            ContextValue::Single("sts.amazonaws.com".into()),
        );
        input.context.set(
            "token.actions.githubusercontent.com:sub",
            ContextValue::Single("repo:acme/web-app:ref:refs/heads/main".into()),
        );
        println!(
            "assume-role: GitHub Actions (repo:acme/web-app, main) -> {}",
            role.arn
        );
        match assume_role(&org, &input, &opts) {
            Ok(session) => {
                println!(
                    "  session {} until epoch {}",
                    session.arn, session.expires_at
                );
                agree += 1;
            }
            Err(e) => {
                println!("  !! refused: {e}");
                disagree += 1;
            }
        }
    }
    println!(
        "\n{agree} answers as documented (the compiled runtime and the reference interpreter agree on each), {disagree} not"
    );
    if disagree == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
