//! Criterion benches of the baselines, per request over each scale's request mix:
//!
//! * `authorize/<scale>/reference`: `reference::decide_org` (resolves the caller and gathers its
//!   policy sets on every request: the executable spec, written for obviousness);
//! * `authorize/<scale>/naive`: `reference::decide` over policy sets resolved once before timing
//!   (every statement of every applicable policy scanned, no index).
//!
//! One iteration decides the next request of the mix (walked with `stride`, so that every sample
//! is spread over the whole mix), so the reported time is the mean latency per request and the
//! throughput is requests per second. The resolved sets stay alive while both run and the
//! reference runs first: the same heap, in the same order, as `gavel-bench` (the interpreters are
//! allocation-bound; see README.md, "Heap state"). Scales: `GAVEL_BENCH_SCALES` (default `S,M,L`).
//!
//! ```text
//! cargo bench -p gavel-benches --bench authorize -- --warm-up-time 1 --measurement-time 2
//! GAVEL_BENCH_SCALES=XL cargo bench -p gavel-benches --bench authorize
//! ```

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

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gavel_benches::{
    load_managed, naive, reference, resolve_all, scales_from_env, stride, workload,
};
use gavel_compiler::workload::Scale;
use std::hint::black_box;

fn baselines(c: &mut Criterion) {
    let scales = scales_from_env("GAVEL_BENCH_SCALES", &[Scale::S, Scale::M, Scale::L])
        .unwrap_or_else(|e| panic!("{e}"));
    let managed = load_managed().unwrap_or_else(|e| panic!("{e}"));
    for scale in scales {
        let w = workload(scale, &managed).unwrap_or_else(|e| panic!("{e}"));
        let resolved = resolve_all(&w.org, &w.requests).unwrap_or_else(|e| panic!("{e}"));
        let n = w.requests.len();
        let step = stride(n);
        let mut group = c.benchmark_group(format!("authorize/{}", scale.name()));
        group.throughput(Throughput::Elements(1));
        if scale >= Scale::L {
            // The reference takes milliseconds per request here: fewer, longer samples.
            group.sample_size(10);
        }
        let mut i = 0usize;
        group.bench_function("reference", |b| {
            b.iter(|| {
                i = (i + step) % n;
                black_box(reference(&w.org, &w.requests[i]))
            });
        });
        let mut i = 0usize;
        group.bench_function("naive", |b| {
            b.iter(|| {
                i = (i + step) % n;
                black_box(naive(&resolved[i]))
            });
        });
        group.finish();
    }
}

criterion_group!(benches, baselines);
criterion_main!(benches);
