#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]
use gavel_compiler::agreement::{decide_org_compiled, same_answer};
use gavel_compiler::lower::{CompileOptions, compile_org, read_catalog, runtime_request};
use gavel_compiler::reference::{Options, decide_org};
use gavel_compiler::workload::Scale;
use std::time::Instant;
fn main() {
    let scale = Scale::parse(&std::env::var("SCALE").unwrap_or("M".into())).unwrap();
    let managed = gavel_benches::load_managed().unwrap();
    let t = Instant::now();
    let w = gavel_benches::workload(scale, &managed).unwrap();
    println!(
        "generated {:?} in {:?}: {} requests",
        w.stats,
        t.elapsed(),
        w.requests.len()
    );
    let catalog = read_catalog(
        &std::fs::read_to_string("../shared/corpus/aws-service-reference.json").unwrap(),
    )
    .unwrap();
    let t = Instant::now();
    let tables = compile_org(
        &w.org,
        &CompileOptions {
            catalog,
            no_fold: false,
        },
    )
    .unwrap();
    println!(
        "compile {:?}: {} policies, {} statements",
        t.elapsed(),
        tables.policies.len(),
        tables
            .policies
            .iter()
            .map(|p| p.statements.len())
            .sum::<usize>()
    );
    let t = Instant::now();
    let bytes = tables.to_bytes();
    println!("encode {:?}: {} bytes", t.elapsed(), bytes.len());
    let t = Instant::now();
    let engine = gavel_runtime::Engine::from_bytes(bytes).unwrap();
    println!("open+validate {:?}", t.elapsed());
    let reqs: Vec<_> = w
        .requests
        .iter()
        .map(|r| runtime_request(r).unwrap())
        .collect();
    let mut bad = 0;
    for (i, r) in w.requests.iter().enumerate().take(2000) {
        let a = decide_org(&w.org, r, &Options::default());
        let b = decide_org_compiled(&tables, r);
        if !same_answer(&a, &b) {
            bad += 1;
            if bad < 4 {
                println!(
                    "DIFF {i}: {:?} {:?} vs {:?} {:?}\n  {:?}",
                    a.decision, a.basis, b.decision, b.basis, r
                );
            }
        }
    }
    println!("disagreements in first 2000: {bad}");
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400_000);
    let t = Instant::now();
    let mut allows = 0;
    for i in 0..n {
        if engine.authorize(&reqs[i % reqs.len()]) == gavel_runtime::Decision::Allow {
            allows += 1;
        }
    }
    println!(
        "engine.authorize: {:.0} ns/req (allows {allows})",
        t.elapsed().as_nanos() as f64 / n as f64
    );
    let snap = engine.snapshot();
    let t = Instant::now();
    for i in 0..n {
        std::hint::black_box(gavel_runtime::eval::authorize(
            snap.tables(),
            &reqs[i % reqs.len()],
        ));
    }
    println!(
        "eval::authorize: {:.0} ns/req",
        t.elapsed().as_nanos() as f64 / n as f64
    );
}
