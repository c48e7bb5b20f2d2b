//! Does a reload stall a reader? One thread decides the mix of a scale in a loop, timing every
//! request, while the main thread reloads the scale's decision file from disk again and again
//! (`Engine::reload`, as a service picking up a new file would); then the same reader runs
//! without reloads. Prints the reader's latency percentiles, its worst request and how many
//! requests took longer than 1 ms and 10 ms in each phase.
//!
//! ```text
//! cargo run --release -p gavel-benches --example reload -- [S|M|L|XL] [RELOADS] [auto]
//! ```
//!
//! `Engine::reload` decodes on the reloading thread alone; `auto` reloads with
//! `Engine::reload_with(path, LoadThreads::Auto)`, which takes a second core for a large file.
//!
//! The issue's target is that a reload never stalls a reader. The reader must do none of the
//! reload's work (before session 8 it freed the replaced snapshot when it held the last
//! reference: tens of milliseconds at L), and the reload should not take the reader's core: with
//! `auto` on a 2-core machine the reader, the reload and its second decoding thread share two
//! cores, and the reader is descheduled now and then for a few milliseconds.

use gavel_benches::compiled::{compile_options, prepare};
use gavel_benches::{example_args, load_managed, workload};
use gavel_runtime::{Engine, LoadThreads};
use std::hint::black_box;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reload: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Per-request latencies of the reader, in nanoseconds.
/// Per-request latencies of the reader, in nanoseconds (at most 8M: about a minute at L).
fn read_until(engine: &Engine, requests: &[gavel_runtime::Request], stop: &AtomicBool) -> Vec<u64> {
    // Written through before timing starts: a fresh page of this buffer would be a page fault
    // in the reader, which waits for the reload's own memory-map changes and would be
    // measured as the engine's stall.
    let mut out = vec![u64::MAX; 1 << 23];
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) && n < out.len() {
        for r in requests {
            let t = Instant::now();
            black_box(engine.authorize(black_box(r)));
            let ns = t.elapsed().as_nanos() as u64;
            if let Some(slot) = out.get_mut(n) {
                *slot = ns;
                n += 1;
            }
        }
    }
    out.truncate(n);
    out
}

fn report(phase: &str, mut ns: Vec<u64>) {
    ns.sort_unstable();
    let at = |q: f64| {
        ns.get(((ns.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0)
    };
    let over = |limit: u64| ns.iter().filter(|&&v| v > limit).count();
    println!(
        "{phase}: {} requests, p50 {} ns, p99 {} ns, p99.99 {} ns, max {:.2} ms, >1 ms: {}, >10 ms: {}",
        ns.len(),
        at(0.5),
        at(0.99),
        at(0.9999),
        ns.last().copied().unwrap_or(0) as f64 / 1e6,
        over(1_000_000),
        over(10_000_000),
    );
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (scale, reloads) = example_args(&mut args, 20u32, "RELOADS")?;
    let threads = match args.next().as_deref() {
        None => LoadThreads::One,
        Some("auto") => LoadThreads::Auto,
        Some(other) => {
            return Err(format!(
                "`{other}`: the third argument is `auto` or nothing"
            ));
        }
    };
    let managed = load_managed()?;
    let w = workload(scale, &managed)?;
    let c = prepare(&w.org, &w.requests, &compile_options()?)?;
    let path = std::env::temp_dir().join(format!("gavel-reload-{}.gavel", std::process::id()));
    std::fs::write(&path, &c.bytes).map_err(|e| format!("cannot write the file: {e}"))?;
    let engine = Arc::new(Engine::open(&path).map_err(|e| e.to_string())?);
    let requests = Arc::new(c.requests);
    drop(c.engine);
    drop(c.file_engine);

    let measure = |reload: bool| -> Result<(Vec<u64>, Duration), String> {
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let (engine, requests, stop) = (engine.clone(), requests.clone(), stop.clone());
            std::thread::spawn(move || read_until(&engine, &requests, &stop))
        };
        let mut slowest = Duration::ZERO;
        for _ in 0..reloads {
            std::thread::sleep(Duration::from_millis(50));
            if reload {
                let t = Instant::now();
                engine
                    .reload_with(&path, threads)
                    .map_err(|e| e.to_string())?;
                slowest = slowest.max(t.elapsed());
            } else {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        stop.store(true, Ordering::Relaxed);
        let ns = reader.join().map_err(|_| "the reader panicked")?;
        Ok((ns, slowest))
    };
    let (with, slowest) = measure(true)?;
    let (without, _) = measure(false)?;
    let _ = std::fs::remove_file(&path);
    println!(
        "[{}] {reloads} reloads ({threads:?} threads), slowest reload {:.1} ms",
        scale.name(),
        slowest.as_secs_f64() * 1e3
    );
    report("while reloading", with);
    report("without reloads", without);
    Ok(())
}
