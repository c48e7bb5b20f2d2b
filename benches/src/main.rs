//! `gavel-bench`: generates the benchmark organizations, times the evaluators over each request
//! mix one request at a time, and prints the README's tables (mean, p50 and p99 per request,
//! requests per second). Criterion (`cargo bench -p gavel-benches`) gives the statistically
//! careful means; this gives the percentiles the issue's targets are written in.
//!
//! Two views of each evaluator: `ns/req (batch)` is the mix run back to back (each request's
//! own data as cold as cycling through 4,096 requests leaves it); `p50 / p99 (warm)` times one
//! request at a time after reading it untimed, as a service has a request it just parsed.
//!
//! `Engine::open` is timed three times: in this process right after compiling (as a reload in a
//! long-running service would see it), in a fresh child process (`gavel-bench --open-only
//! FILE`, as a service starting up would see it), and in a fresh child whose glibc heap is on
//! transparent huge pages (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, a deployment setting). The
//! first two differ because glibc's heap after a compile is fragmented, and the decoder
//! allocates; the third shows what page faults cost.
//!
//! ```text
//! gavel-bench [S|M|L|XL ...] [--engines reference,naive] [--budget SECONDS] [--requests N]
//! ```

use gavel_benches::compiled::{compile_options, prepare};
use gavel_benches::{
    Latency, Mix, fmt_count, fmt_ns, fmt_rate, load_managed, measure, naive, reference,
    resolve_all, touch, workload,
};
use gavel_compiler::lower::CompileOptions;
use gavel_compiler::workload::{Scale, Stats};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: gavel-bench [S|M|L|XL ...] [--engines reference,naive,compiled] [--budget SECONDS] [--requests N]

Generates the workload of each scale (default S M L), times each engine (default all three)
over its request mix for about SECONDS (default 4) per engine and scale, and prints markdown
tables. The compiled engine is first checked against the reference on the whole mix.";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EngineKind {
    Reference,
    Naive,
    Compiled,
}

struct Args {
    scales: Vec<Scale>,
    engines: Vec<EngineKind>,
    budget: Duration,
    requests: Option<usize>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        scales: Vec::new(),
        engines: vec![
            EngineKind::Reference,
            EngineKind::Naive,
            EngineKind::Compiled,
        ],
        budget: Duration::from_secs(4),
        requests: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => return Err(USAGE.to_string()),
            "--engines" => {
                let v = it.next().ok_or("--engines needs a list")?;
                args.engines = v
                    .split(',')
                    .map(|e| match e.trim() {
                        "reference" => Ok(EngineKind::Reference),
                        "naive" => Ok(EngineKind::Naive),
                        "compiled" => Ok(EngineKind::Compiled),
                        other => Err(format!("unknown engine `{other}`\n{USAGE}")),
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--budget" => {
                let v = it.next().ok_or("--budget needs seconds")?;
                let s: f64 = v
                    .parse()
                    .map_err(|_| format!("--budget: `{v}` is not a number"))?;
                args.budget = Duration::from_secs_f64(s.max(0.01));
            }
            "--requests" => {
                let v = it.next().ok_or("--requests needs a count")?;
                args.requests = Some(
                    v.parse()
                        .map_err(|_| format!("--requests: `{v}` is not a count"))?,
                );
            }
            s => args
                .scales
                .push(Scale::parse(s).ok_or_else(|| format!("unknown argument `{s}`\n{USAGE}"))?),
        }
    }
    if args.scales.is_empty() {
        args.scales = vec![Scale::S, Scale::M, Scale::L];
    }
    Ok(args)
}

/// One scale's results.
#[derive(Default)]
struct Row {
    scale: &'static str,
    stats: Stats,
    requests: usize,
    mix: Option<Mix>,
    generate: Duration,
    resolve: Option<Duration>,
    reference: Option<Latency>,
    naive: Option<Latency>,
    compiled: Option<CompiledRow>,
}

#[derive(Default)]
struct CompiledRow {
    latency: Latency,
    compile: Duration,
    bytes: usize,
    open: Duration,
    /// `Engine::open` in a fresh process, best of three; `None` when the child failed.
    open_fresh: Option<Duration>,
    /// The same with glibc's heap on transparent huge pages ([`HUGE_PAGES`]).
    open_fresh_huge: Option<Duration>,
    from_bytes: Duration,
    disagreements: usize,
}

/// The glibc tunable that puts malloc's memory on transparent huge pages (glibc 2.35+; with the
/// kernel's THP mode `madvise`, as here, the heap gets none without it). The decoded tables are
/// ~120 MB of heap at L: with 2 MB pages the kernel faults in 1/512 as many pages at open.
const HUGE_PAGES: (&str, &str) = ("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1");

/// Times `Engine::open` of `bytes` (written to a temporary file) in fresh child processes of
/// this program, with `env` set, best of three; `None` (with a message) when a child fails.
fn open_in_fresh_process(bytes: &[u8], env: Option<(&str, &str)>) -> Option<Duration> {
    let path = std::env::temp_dir().join(format!("gavel-bench-fresh-{}.gavel", std::process::id()));
    let result = (|| {
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut best: Option<Duration> = None;
        for _ in 0..3 {
            let mut child = std::process::Command::new(&exe);
            child.arg("--open-only").arg(&path);
            if let Some((k, v)) = env {
                child.env(k, v);
            }
            let out = child.output().map_err(|e| e.to_string())?;
            let text = String::from_utf8_lossy(&out.stdout);
            let ns: u64 = text
                .trim()
                .parse()
                .map_err(|_| format!("child said {text:?} ({})", out.status))?;
            let d = Duration::from_nanos(ns);
            best = Some(best.map_or(d, |b| b.min(d)));
        }
        best.ok_or_else(|| "no run".to_string())
    })();
    let _ = std::fs::remove_file(&path);
    result
        .map_err(|e| eprintln!("open in a fresh process: {e}"))
        .ok()
}

/// `gavel-bench --open-only FILE`: opens the file once and prints the nanoseconds it took.
fn open_only(path: &str) -> Result<(), String> {
    let t = Instant::now();
    let engine = gavel_runtime::Engine::open(path).map_err(|e| e.to_string())?;
    let ns = t.elapsed().as_nanos();
    println!("{ns}");
    // The process ends here: leave the tables to the OS instead of freeing them one by one.
    std::mem::forget(engine);
    Ok(())
}

fn run_scale(
    scale: Scale,
    args: &Args,
    managed: &[gavel_compiler::org::ManagedPolicy],
    opts: &CompileOptions,
) -> Result<Row, String> {
    let t = Instant::now();
    let w = workload(scale, managed)?;
    let generate = t.elapsed();
    let requests = match args.requests {
        Some(n) => &w.requests[..n.min(w.requests.len())],
        None => &w.requests[..],
    };
    eprintln!(
        "[{}] generated in {:.1} s: {} principals, {} statements, {} policies, {} requests",
        scale.name(),
        generate.as_secs_f64(),
        fmt_count(w.stats.principals()),
        fmt_count(w.stats.statements),
        fmt_count(w.stats.policies),
        requests.len()
    );
    let mut row = Row {
        scale: scale.name(),
        stats: w.stats.clone(),
        requests: requests.len(),
        generate,
        ..Row::default()
    };
    // Same order and heap as the criterion benches: the mix resolved first and kept alive, then
    // reference, naive, compiled. The interpreters are allocation-bound and glibc's malloc serves
    // them up to 3x faster or slower depending on the heap's state (benches/README.md, "Heap
    // state"), so both tools time them in the same one.
    let t = Instant::now();
    let resolved = resolve_all(&w.org, requests)?;
    row.resolve = Some(t.elapsed());
    let decisions: Vec<_> = resolved.iter().map(naive).collect();
    row.mix = Some(Mix::of(decisions.iter().copied()));
    if args.engines.contains(&EngineKind::Reference) {
        let mut buf = String::new();
        let l = measure(
            requests.len(),
            args.budget,
            |i| touch(&mut buf, &requests[i]),
            |i| reference(&w.org, &requests[i]),
        );
        eprintln!(
            "[{}] reference: {}/req, p50 {}, p99 {}",
            scale.name(),
            fmt_ns(1e9 / l.per_second),
            fmt_ns(l.p50_ns),
            fmt_ns(l.p99_ns)
        );
        row.reference = Some(l);
    }
    if args.engines.contains(&EngineKind::Naive) {
        let mut buf = String::new();
        let l = measure(
            resolved.len(),
            args.budget,
            |i| touch(&mut buf, &resolved[i]),
            |i| naive(&resolved[i]),
        );
        eprintln!(
            "[{}] naive: {}/req, p50 {}, p99 {}",
            scale.name(),
            fmt_ns(1e9 / l.per_second),
            fmt_ns(l.p50_ns),
            fmt_ns(l.p99_ns)
        );
        row.naive = Some(l);
    }
    if args.engines.contains(&EngineKind::Compiled) {
        let c = prepare(&w.org, requests, opts)?;
        let expected = &decisions[..];
        let disagreements = c.disagreements(expected);
        if disagreements > 0 {
            eprintln!(
                "[{}] WARNING: the compiled engine disagrees with the reference on {disagreements} of {} requests",
                scale.name(),
                expected.len()
            );
        }
        let mut buf = String::new();
        let l = measure(
            c.requests.len(),
            args.budget,
            |i| touch(&mut buf, &c.requests[i]),
            |i| c.authorize(i),
        );
        eprintln!(
            "[{}] compiled: {}/req, p50 {}, p99 {}; compile {:.2} s, {} bytes, open+validate {}",
            scale.name(),
            fmt_ns(1e9 / l.per_second),
            fmt_ns(l.p50_ns),
            fmt_ns(l.p99_ns),
            c.compile.as_secs_f64(),
            fmt_count(c.bytes.len()),
            fmt_ns(c.open.as_nanos() as f64)
        );
        let open_fresh = open_in_fresh_process(&c.bytes, None);
        let open_fresh_huge = open_in_fresh_process(&c.bytes, Some(HUGE_PAGES));
        row.compiled = Some(CompiledRow {
            latency: l,
            compile: c.compile,
            bytes: c.bytes.len(),
            open: c.open,
            open_fresh,
            open_fresh_huge,
            from_bytes: c.from_bytes,
            disagreements,
        });
    }
    drop((resolved, decisions));
    Ok(row)
}

fn cell(l: Option<&Latency>) -> (String, String, String) {
    match l {
        Some(l) => (
            fmt_ns(1e9 / l.per_second),
            format!("{} / {}", fmt_ns(l.p50_ns), fmt_ns(l.p99_ns)),
            fmt_rate(l.per_second),
        ),
        None => ("–".into(), "–".into(), "–".into()),
    }
}

fn print_tables(rows: &[Row]) {
    let compiled = rows.iter().any(|r| r.compiled.is_some());
    println!();
    print!(
        "| scale | principals | statements | reference ns/req (batch) | reference p50 / p99 (warm) | naive ns/req (batch) | naive p50 / p99 (warm) | naive req/s |"
    );
    if compiled {
        print!(
            " compiled ns/req (batch) | compiled p50 / p99 (warm) | compiled req/s | vs naive | vs reference |"
        );
    }
    println!();
    print!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    if compiled {
        print!(" ---: | ---: | ---: | ---: | ---: |");
    }
    println!();
    for r in rows {
        let (rm, rp, _) = cell(r.reference.as_ref());
        let (nm, np, nr) = cell(r.naive.as_ref());
        print!(
            "| {} | {} | {} | {rm} | {rp} | {nm} | {np} | {nr} |",
            r.scale,
            fmt_count(r.stats.principals()),
            fmt_count(r.stats.statements)
        );
        if compiled {
            let c = r.compiled.as_ref().map(|c| &c.latency);
            let (cm, cp, cr) = cell(c);
            let ratio = |base: Option<&Latency>| match (base, c) {
                (Some(b), Some(c)) if b.per_second > 0.0 => {
                    format!("{:.0}x", c.per_second / b.per_second)
                }
                _ => "–".into(),
            };
            print!(
                " {cm} | {cp} | {cr} | {} | {} |",
                ratio(r.naive.as_ref()),
                ratio(r.reference.as_ref())
            );
        }
        println!();
    }
    if compiled {
        println!();
        println!(
            "| scale | compile | file size | open + validate (`Engine::open`, after compiling) | `Engine::open`, fresh process | the same, `{}={}` | `Engine::from_bytes` | disagreements with the reference |",
            HUGE_PAGES.0, HUGE_PAGES.1
        );
        println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for r in rows {
            if let Some(c) = &r.compiled {
                let fresh = |d: Option<Duration>| {
                    d.map_or_else(|| "–".to_string(), |d| fmt_ns(d.as_nanos() as f64))
                };
                println!(
                    "| {} | {:.2} s | {} bytes | {} | {} | {} | {} | {} |",
                    r.scale,
                    c.compile.as_secs_f64(),
                    fmt_count(c.bytes),
                    fmt_ns(c.open.as_nanos() as f64),
                    fresh(c.open_fresh),
                    fresh(c.open_fresh_huge),
                    fmt_ns(c.from_bytes.as_nanos() as f64),
                    c.disagreements
                );
            }
        }
    }
    println!();
    println!(
        "| scale | accounts | users | roles | groups | policies | AWS managed | statements | requests | allow / explicit deny / implicit deny | generate | resolve all |"
    );
    println!(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for r in rows {
        let s = &r.stats;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} s | {} |",
            r.scale,
            s.accounts,
            fmt_count(s.users),
            fmt_count(s.roles),
            fmt_count(s.groups),
            fmt_count(s.policies),
            s.aws_managed,
            fmt_count(s.statements),
            fmt_count(r.requests),
            r.mix.map_or_else(|| "–".to_string(), |m| m.percentages()),
            r.generate.as_secs_f64(),
            r.resolve
                .map_or_else(|| "–".to_string(), |d| format!("{:.2} s", d.as_secs_f64())),
        );
    }
}

fn run() -> Result<(), String> {
    let mut raw = std::env::args().skip(1);
    if let (Some("--open-only"), Some(path)) = (raw.next().as_deref(), raw.next()) {
        return open_only(&path);
    }
    let args = parse_args()?;
    let managed = load_managed()?;
    let opts = if args.engines.contains(&EngineKind::Compiled) {
        compile_options()?
    } else {
        CompileOptions::default()
    };
    let mut rows = Vec::new();
    for &scale in &args.scales {
        rows.push(run_scale(scale, &args, &managed, &opts)?);
    }
    print_tables(&rows);
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
