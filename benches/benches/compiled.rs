//! Criterion benches of the compiled engine (`gavel_benches::compiled`: `lower::compile_org`
//! with the AWS action catalogue, `Engine::authorize`):
//!
//! * `compiled/<scale>/authorize`: `Engine::authorize` per request over the scale's mix (the
//!   same requests as `authorize/<scale>/reference` and `…/naive`);
//! * `compiled/<scale>/from_bytes`: loading and fully validating the decision file's bytes;
//! * `compiled/<scale>/compile`: `lower::compile_org` (S and M).
//!
//! Before timing, the engine's decisions are checked against the reference's on the whole mix:
//! a bench of an engine that answers differently would measure the wrong thing.
//!
//! ```text
//! cargo bench -p gavel-benches --bench compiled -- --warm-up-time 1 --measurement-time 2
//! ```
//!
//! p50/p99 latency, file size and `Engine::open` time: `gavel-bench --engines naive,compiled`.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a bench without its workload has nothing to measure: stop with the reason"
)]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use gavel_benches::compiled::{compile_options, prepare};
use gavel_benches::{
    fmt_count, load_managed, naive, resolve_all, scales_from_env, stride, workload,
};
use gavel_compiler::lower;
use gavel_compiler::workload::Scale;
use gavel_runtime::Engine;
use std::hint::black_box;

fn compiled(c: &mut Criterion) {
    let scales = scales_from_env("GAVEL_BENCH_SCALES", &[Scale::S, Scale::M, Scale::L])
        .unwrap_or_else(|e| panic!("{e}"));
    let managed = load_managed().unwrap_or_else(|e| panic!("{e}"));
    let opts = compile_options().unwrap_or_else(|e| panic!("{e}"));
    for scale in scales {
        let w = workload(scale, &managed).unwrap_or_else(|e| panic!("{e}"));
        let expected: Vec<_> = resolve_all(&w.org, &w.requests)
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(naive)
            .collect();
        let prepared = prepare(&w.org, &w.requests, &opts).unwrap_or_else(|e| panic!("{e}"));
        let wrong = prepared.disagreements(&expected);
        assert_eq!(
            wrong,
            0,
            "scale {}: the compiled engine disagrees with the reference on {wrong} of {} requests",
            scale.name(),
            expected.len()
        );
        eprintln!(
            "compiled/{}: file {} bytes, compile {:.2} s, open {:?}, from_bytes {:?}",
            scale.name(),
            fmt_count(prepared.bytes.len()),
            prepared.compile.as_secs_f64(),
            prepared.open,
            prepared.from_bytes
        );
        let n = prepared.requests.len();
        let step = stride(n);
        let mut group = c.benchmark_group(format!("compiled/{}", scale.name()));
        group.throughput(Throughput::Elements(1));
        let mut i = 0usize;
        group.bench_function("authorize", |b| {
            b.iter(|| {
                i = (i + step) % n;
                black_box(prepared.authorize(i))
            });
        });
        group.throughput(Throughput::Bytes(prepared.bytes.len() as u64));
        // Loading takes milliseconds (S) to a second (XL): ten samples are plenty.
        group.sample_size(10);
        let bytes = &prepared.bytes;
        group.bench_function("from_bytes", |b| {
            b.iter_batched(
                || bytes.clone(),
                |b| black_box(Engine::from_bytes(b).is_ok()),
                BatchSize::LargeInput,
            );
        });
        if scale <= Scale::M {
            // L's compile time (one run) is in `gavel-bench`'s table; ten here would take minutes.
            group.throughput(Throughput::Elements(w.stats.statements as u64));
            group.bench_function("compile", |b| {
                b.iter(|| black_box(lower::compile_org(&w.org, &opts).is_ok()));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, compiled);
criterion_main!(benches);
