//! The engine author's quick probe: generate one scale's workload, compile it, check the
//! compiled engine against the reference on the whole mix, then run `authorize` over the mix in
//! a tight loop for a while and print ns/request. Meant for `perf record` and A/B comparisons of
//! evaluator changes, not for the README's numbers (`gavel-bench` gives those).
//!
//! ```text
//! cargo run --release -p gavel-benches --example probe -- [S|M|L|XL] [SECONDS]
//! ```
//!
//! `PROBE_LOADS=N` also times `Engine::from_bytes` (best of N, in this process);
//! `PROBE_WRITE=FILE` writes the compiled file, e.g. to time `gavel dump FILE` (open and full
//! validation in a fresh process, the way a service starts); `PROBE_WARM=1` reads each request
//! (untimed by callgrind's `--toggle-collect` on `authorize`, timed here) before deciding it, as
//! `gavel-bench`'s p50 does: a cache simulation then counts the tables' misses alone.

use gavel_benches::compiled::{compile_options, prepare};
use gavel_benches::{example_args, load_managed, reference, touch, workload};
use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("probe: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (scale, secs) = example_args(&mut args, 5.0f64, "SECONDS")?;
    let managed = load_managed()?;
    let w = workload(scale, &managed)?;
    let opts = compile_options()?;
    let c = prepare(&w.org, &w.requests, &opts)?;
    let expected: Vec<_> = w.requests.iter().map(|r| reference(&w.org, r)).collect();
    let bad = c.disagreements(&expected);
    eprintln!(
        "[{}] compile {:.2} s, {} bytes, open {:.1} ms, {} disagreements on {} requests",
        scale.name(),
        c.compile.as_secs_f64(),
        c.bytes.len(),
        c.open.as_secs_f64() * 1e3,
        bad,
        w.requests.len()
    );
    {
        let snap = c.file_engine.snapshot();
        let d = &snap.tables().derived;
        eprintln!(
            "[{}] {} plans, {} bytes of plans",
            scale.name(),
            d.plans.len(),
            d.plans.bytes()
        );
    }
    if let Some(path) = std::env::var_os("PROBE_WRITE") {
        std::fs::write(&path, &c.bytes).map_err(|e| format!("cannot write the file: {e}"))?;
    }
    if let Some(loads) = std::env::var("PROBE_LOADS")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
    {
        // Load time alone (for `perf record`): decode + validate + derived maps, best of N.
        let mut best = Duration::MAX;
        for _ in 0..loads {
            let t = Instant::now();
            let e =
                gavel_runtime::Engine::from_bytes(c.bytes.clone()).map_err(|e| e.to_string())?;
            best = best.min(t.elapsed());
            drop(e);
        }
        eprintln!(
            "[{}] from_bytes best of {loads}: {:.1} ms",
            scale.name(),
            best.as_secs_f64() * 1e3
        );
    }
    let n = c.requests.len();
    let warm = std::env::var_os("PROBE_WARM").is_some();
    let mut scratch = String::new();
    let budget = Duration::from_secs_f64(secs);
    let start = Instant::now();
    let mut best = f64::MAX;
    let mut done = 0usize;
    // Best pass, not mean: a neighbour on the other core (a fuzzer, a build) slows some passes.
    while start.elapsed() < budget {
        let t = Instant::now();
        for r in &c.requests {
            if warm {
                touch(&mut scratch, r);
            }
            black_box(c.file_engine.authorize(black_box(r)));
        }
        best = best.min(t.elapsed().as_nanos() as f64 / n as f64);
        done += n;
    }
    println!(
        "{} {:.0} ns/req (best pass of {}; {} requests)",
        scale.name(),
        best,
        done / n.max(1),
        done
    );
    if bad > 0 {
        return Err(format!("{bad} disagreements with the reference"));
    }
    Ok(())
}
