//! `gavel eval --org`: decide requests against an organization.

use super::eval::{EvalArgs, explain, finish};
use super::org_args::{load_org, load_session, parse_context, parse_time};
use crate::conformance::answer;
use crate::org::{OrgRequest, Organization, Session, resolve};
use crate::reference::{Options, decide, decide_org};
use gavel_runtime::{Context, ContextValue, Decision};
use serde_json::Value;
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

/// Runs `gavel eval --org PATH …`.
pub fn run(org_path: &Path, args: &EvalArgs) -> Result<ExitCode, String> {
    let org = load_org(org_path)?;
    if let Some(cases) = &args.cases {
        return run_cases(&org, cases);
    }
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

/// One org-level case: `{"id", "request": {...}, "expect"}`.
struct OrgCase {
    id: String,
    request: OrgRequest,
    expect: Option<Decision>,
}

fn context_of(v: &Value) -> Result<Context, String> {
    let mut ctx = Context::new();
    let Some(obj) = v.as_object() else {
        return Err("`request.context` must be an object".into());
    };
    for (k, v) in obj {
        let value = match v {
            Value::Null => continue,
            Value::String(s) => ContextValue::Single(s.clone()),
            Value::Number(n) => ContextValue::Single(n.to_string()),
            Value::Bool(b) => ContextValue::Single(b.to_string()),
            Value::Array(items) => ContextValue::List(
                items
                    .iter()
                    .map(|x| match x {
                        Value::String(s) => Ok(s.clone()),
                        Value::Number(n) => Ok(n.to_string()),
                        Value::Bool(b) => Ok(b.to_string()),
                        _ => Err(format!("context key `{k}`: list elements must be strings")),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(_) => {
                return Err(format!("context key `{k}`: a value is a string or a list"));
            }
        };
        ctx.insert(k, value).map_err(|e| e.to_string())?;
    }
    Ok(ctx)
}

fn parse_org_case(line: &str) -> Result<OrgCase, (Option<String>, String)> {
    let v: Value = serde_json::from_str(line).map_err(|e| (None, format!("not JSON: {e}")))?;
    let id = v.get("id").and_then(Value::as_str).map(str::to_string);
    let fail = |m: String| (id.clone(), m);
    let id_s = id.clone().ok_or_else(|| fail("missing `id`".into()))?;
    let r = v
        .get("request")
        .ok_or_else(|| fail("missing `request`".into()))?;
    let field = |name: &str| -> Result<String, (Option<String>, String)> {
        r.get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| fail(format!("`request.{name}` must be a string")))
    };
    if let Some(obj) = r.as_object() {
        for k in obj.keys() {
            if ![
                "principal",
                "action",
                "resource",
                "resourceAccount",
                "context",
                "session",
                "time",
            ]
            .contains(&k.as_str())
            {
                return Err(fail(format!("unknown request field `{k}`")));
            }
        }
    }
    let session: Option<Session> = match r.get("session") {
        None | Some(Value::Null) => None,
        Some(s) => Some(
            serde_json::from_value(s.clone())
                .map_err(|e| fail(format!("`request.session`: {e}")))?,
        ),
    };
    let time = match r.get("time") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => Some(parse_time(s).map_err(fail)?),
        Some(_) => return Err(fail("`request.time` is epoch seconds or RFC 3339".into())),
    };
    let request = OrgRequest {
        principal: field("principal")?,
        action: field("action")?,
        resource: r
            .get("resource")
            .and_then(Value::as_str)
            .unwrap_or("*")
            .to_string(),
        resource_account: r
            .get("resourceAccount")
            .and_then(Value::as_str)
            .map(str::to_string),
        context: match r.get("context") {
            Some(c) => context_of(c).map_err(fail)?,
            None => Context::new(),
        },
        session,
        time,
    };
    let expect =
        match v.get("expect") {
            None => None,
            Some(e) => Some(e.as_str().and_then(Decision::parse).ok_or_else(|| {
                fail("`expect` is `Allow`, `ExplicitDeny` or `ImplicitDeny`".into())
            })?),
        };
    Ok(OrgCase {
        id: id_s,
        request,
        expect,
    })
}

/// Decides every org-level case of a file against `org`.
pub fn run_cases(org: &Organization, path: &Path) -> Result<ExitCode, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let opts = Options::default();
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
                let e = decide_org(org, &case.request, &opts);
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
            Err((id, message)) => {
                errors += 1;
                let message = format!("{}:{}: {message}", path.display(), i + 1);
                eprintln!("error: {message}");
                serde_json::json!({"id": id, "error": message})
            }
        };
        writeln!(out, "{v}").map_err(|e| e.to_string())?;
    }
    Ok(finish(total, passed, failed, errors))
}
