//! `gavel dump`: what a decision file holds — sections, counts, and a principal's specialized
//! policies (identity, boundary, SCP levels, trust).

use super::compile::summary;
use clap::Args;
use gavel_runtime::Engine;
use gavel_runtime::tables::{
    ActionPattern, ActionPatterns, Policy, PolicyId, RecordKind, ResourcePattern, Scope, Tables,
};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `gavel dump`.
#[derive(Args, Debug)]
pub struct DumpArgs {
    /// The decision file.
    pub file: PathBuf,
    /// Also print this principal's policies as compiled (a user or role ARN, or a name).
    #[arg(long)]
    pub principal: Option<String>,
}

/// Runs `gavel dump`.
pub fn run(args: &DumpArgs) -> ExitCode {
    let engine = match Engine::read(&args.file) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {}: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let snap = engine.snapshot();
    let mut out = String::new();
    if let Some(file) = snap.file() {
        let h = file.header();
        let _ = writeln!(
            out,
            "{}: format version {:?}, {} bytes, body checksum {:#010x}",
            args.file.display(),
            file.version(),
            file.as_bytes().len(),
            h.body_checksum
        );
        for (kind, bytes) in file.sections() {
            let _ = writeln!(out, "  section {kind:?}: {} bytes", bytes.len());
        }
        if let Ok(meta) = gavel_runtime::format::read_meta(file) {
            let _ = writeln!(
                out,
                "  written by {}; counts {:?}",
                meta.writer, meta.counts
            );
        }
    }
    let t = snap.tables();
    let size = snap.file().map_or(0, |f| f.as_bytes().len());
    let _ = writeln!(out, "{}", summary(t, size, &args.file));
    let _ = writeln!(
        out,
        "  built at load: {} statement plans ({} bytes), see docs/compiled-design.md",
        t.derived.plans.len(),
        t.derived.plans.bytes()
    );
    if let Some(who) = &args.principal {
        match principal_report(t, who) {
            Some(r) => out.push_str(&r),
            None => {
                eprint!("{out}");
                eprintln!("error: no user or role `{who}` in {}", args.file.display());
                return ExitCode::from(1);
            }
        }
    }
    print!("{out}");
    ExitCode::SUCCESS
}

fn principal_report(t: &Tables, who: &str) -> Option<String> {
    let Scope::Org(org) = &t.scope else {
        return None;
    };
    let r = org
        .principals
        .iter()
        .find(|r| r.arn == who || r.name.eq_ignore_ascii_case(who))?;
    let mut s = String::new();
    let kind = match r.kind {
        RecordKind::User => "user",
        RecordKind::Role => "role",
    };
    let account = org
        .accounts
        .get(r.account as usize)
        .map_or("?", |a| a.id.as_str());
    let _ = writeln!(
        s,
        "{kind} {} (account {account}, id {})",
        r.arn, r.unique_id
    );
    if let Some(e) = &r.error {
        let _ = writeln!(s, "  every request is denied: {e}");
    }
    let mut section = |title: &str, ids: &[PolicyId]| {
        let _ = writeln!(s, "  {title}:");
        for id in ids {
            if let Some(p) = t.policies.get(*id as usize) {
                policy_report(t, p, &mut s);
            }
        }
    };
    section(
        "identity policies (specialized for this principal)",
        &r.identity,
    );
    section("permissions boundary (specialized)", &r.boundaries);
    // The SCP levels this principal's own requests use: its specialized set, else the
    // account's (federated users it creates and the root user always use the account's).
    let specialized = r.scps.and_then(|i| org.scp_sets.get(i as usize));
    let levels = specialized.or_else(|| {
        org.accounts
            .get(r.account as usize)
            .and_then(|a| a.scps.as_ref())
    });
    let whose = if specialized.is_some() {
        "specialized for this principal"
    } else {
        "the account's"
    };
    for (l, ids) in levels.into_iter().flatten().enumerate() {
        section(&format!("SCP level {l} ({whose}; root first)"), ids);
    }
    if let Some(trust) = r.trust {
        section("trust policy", &[trust]);
    }
    Some(s)
}

fn policy_report(t: &Tables, p: &Policy, s: &mut String) {
    let _ = writeln!(
        s,
        "    policy `{}` ({} statements kept)",
        p.name,
        p.statements.len()
    );
    for st in &p.statements {
        let actions = match &st.actions.patterns {
            ActionPatterns::Indexed(ids) => ids
                .iter()
                .filter_map(|i| t.actions.patterns.get(*i as usize))
                .map(action_text)
                .collect::<Vec<_>>(),
            ActionPatterns::Direct(ps) => ps.iter().map(action_text).collect(),
        };
        let resources = st.resources.as_ref().map(|r| {
            let items: Vec<String> = r.items.iter().map(resource_text).collect();
            format!(
                " {}on {}",
                if r.negated { "not " } else { "" },
                items.join(", ")
            )
        });
        let _ = writeln!(
            s,
            "      #{}{} {} {}{}{}{}",
            st.index,
            st.sid
                .as_ref()
                .map(|x| format!(" `{x}`"))
                .unwrap_or_default(),
            st.effect.as_str(),
            if st.actions.negated { "not " } else { "" },
            actions.join(", "),
            resources.unwrap_or_default(),
            if st.conditions.is_empty() {
                String::new()
            } else {
                format!(
                    " when {} clause(s) on {}",
                    st.conditions.len(),
                    st.conditions
                        .iter()
                        .map(|c| c.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
    }
}

fn action_text(p: &ActionPattern) -> String {
    match p {
        ActionPattern::Any => "*".into(),
        ActionPattern::Never => "(never)".into(),
        ActionPattern::Named { service, name } => format!("{service}:{}", toks(name)),
    }
}

fn toks(ts: &[gavel_runtime::glob::Tok]) -> String {
    use gavel_runtime::glob::Tok;
    ts.iter()
        .map(|t| match t {
            Tok::Char(c) => *c,
            Tok::Star => '*',
            Tok::Quest => '?',
        })
        .collect()
}

fn resource_text(r: &ResourcePattern) -> String {
    match r {
        ResourcePattern::Any => "*".into(),
        ResourcePattern::Exact(s) => s.clone(),
        ResourcePattern::Prefix(s) => format!("{s}*"),
        ResourcePattern::Stars(s) => s.clone(),
        ResourcePattern::Glob(ts) => toks(ts),
        ResourcePattern::Template(t) => t.source(),
    }
}
