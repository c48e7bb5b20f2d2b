//! Gavel's benchmark harness (issue 5, "Benchmarks"): what the criterion benches
//! (`benches/authorize.rs`, `benches/compiled.rs`) and the `gavel-bench` table printer share.
//!
//! * the workloads: [`gavel_compiler::workload`] at scales S/M/L/XL, with the AWS managed
//!   policies of the shared corpus ([`load_managed`]) and one fixed seed ([`SEED`]);
//! * the baselines: the reference interpreter per request ([`reference`], which resolves the
//!   caller and gathers its policies every time) and a naive linear scan ([`naive`]: the same
//!   interpreter over policy sets resolved once, before timing);
//! * a latency meter ([`measure`]) that gives the p50/p99 the targets are written in,
//!   which criterion (mean/median over batches) does not.

use gavel_compiler::org::{ManagedPolicy, OrgRequest, Organization, Resolved, resolve};
use gavel_compiler::reference::{Options, decide, decide_org};
use gavel_compiler::workload::{self, Scale, Workload};
use gavel_runtime::Decision;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub mod compiled;

/// The seed of every benchmark workload, so that runs on different days measure the same
/// organization.
pub const SEED: u64 = 1;

/// The AWS managed policies file: `$GAVEL_AWS_MANAGED_POLICIES`, else
/// `../shared/corpus/aws-managed-policies.jsonl` beside the repository (as CI has it). It is
/// read at run time and never copied into the repository.
pub fn managed_policies_path() -> PathBuf {
    match std::env::var_os("GAVEL_AWS_MANAGED_POLICIES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/corpus/aws-managed-policies.jsonl"
        )),
    }
}

/// Reads the AWS managed policies ([`managed_policies_path`]).
pub fn load_managed() -> Result<Vec<ManagedPolicy>, String> {
    let path = managed_policies_path();
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read the AWS managed policies `{}`: {e} (the `shared` folder belongs beside the repository; or set GAVEL_AWS_MANAGED_POLICIES)",
            path.display()
        )
    })?;
    workload::parse_managed(&text)
}

/// The benchmark workload of `scale` ([`SEED`]).
pub fn workload(scale: Scale, managed: &[ManagedPolicy]) -> Result<Workload, String> {
    workload::generate(scale, SEED, managed)
}

/// Scales named in the environment variable `var` (`S,M,L`), or `default`.
pub fn scales_from_env(var: &str, default: &[Scale]) -> Result<Vec<Scale>, String> {
    match std::env::var(var) {
        Ok(text) if !text.trim().is_empty() => text
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(|s| Scale::parse(s).ok_or_else(|| format!("{var}: `{s}` is not S, M, L or XL")))
            .collect(),
        _ => Ok(default.to_vec()),
    }
}

/// The examples' leading arguments: a scale (default L), then a number (`default` when absent;
/// `what` names it in the error).
pub fn example_args<T: std::str::FromStr>(
    args: &mut impl Iterator<Item = String>,
    default: T,
    what: &str,
) -> Result<(Scale, T), String> {
    let scale = args
        .next()
        .map_or(Some(Scale::L), |s| Scale::parse(&s))
        .ok_or("the scale is S, M, L or XL")?;
    let n = args
        .next()
        .map_or(Ok(default), |s| s.parse())
        .map_err(|_| format!("{what} is a number"))?;
    Ok((scale, n))
}

/// The reference baseline: resolves the caller, gathers its policy sets and the derived context,
/// and decides, for every request.
pub fn reference(org: &Organization, request: &OrgRequest) -> Decision {
    decide_org(org, request, &Options::default()).decision
}

/// Resolves every request once, for the naive scan.
pub fn resolve_all(org: &Organization, requests: &[OrgRequest]) -> Result<Vec<Resolved>, String> {
    requests
        .iter()
        .map(|r| {
            resolve(org, r)
                .map_err(|e| format!("`{}` {} does not resolve: {e}", r.principal, r.action))
        })
        .collect()
}

/// The naive linear scan: every statement of every policy of the resolved sets, no index.
pub fn naive(resolved: &Resolved) -> Decision {
    decide(&resolved.set, &resolved.request, &Options::default()).decision
}

/// Latency and throughput of one evaluator over a request mix.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Latency {
    /// Requests timed one by one.
    pub samples: usize,
    /// Mean latency, ns (timer overhead subtracted).
    pub mean_ns: f64,
    /// Median latency, ns.
    pub p50_ns: f64,
    /// 99th percentile latency, ns.
    pub p99_ns: f64,
    /// Requests per second over the mix, timed as a batch (no timer per request).
    pub per_second: f64,
}

/// Reads every field of `value` (its `Debug` text, into a reused buffer) so that it is in cache:
/// the `warm` step of [`measure`].
pub fn touch(buf: &mut String, value: &impl std::fmt::Debug) {
    use std::fmt::Write as _;
    buf.clear();
    let _ = write!(buf, "{value:?}");
    black_box(buf.len());
}

/// The cost of reading the clock twice, ns (median of many tries); [`measure`] subtracts it
/// from every per-request sample, since a compiled `authorize` takes only ~10x as long.
pub fn timer_overhead_ns() -> f64 {
    let mut v: Vec<u64> = (0..10_001)
        .map(|_| {
            let t = Instant::now();
            black_box(());
            t.elapsed().as_nanos() as u64
        })
        .collect();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0) as f64
}

/// Times `decide(i)` over whole passes of `i` in `0..n`, so that every request of the mix
/// weighs the same: the mixes are heavy-tailed (a request that meets `ReadOnlyAccess`'s 2,677
/// action patterns costs the interpreters 100x the median), and timing a prefix of the mix would
/// measure that prefix. A warm-up (a tenth of the budget, at most one pass), then whole batches for
/// about half the budget (throughput), then one request at a time for about the other half (mean,
/// p50, p99). Each phase runs at least one pass, however long it takes: bound slow evaluators
/// with fewer requests instead (the requests are drawn independently, so any prefix of a mix is
/// a fair sample of it).
///
/// Before each per-request sample `warm(i)` runs, untimed: it reads request `i` the way a service
/// has its request in cache right after parsing it (the benches pass [`touch`]). The batch
/// throughput does not warm anything: there each request's own data is as cold as a mix of 4,096
/// requests leaves it, which costs an evaluator that needs ~1 µs a sizeable share of it.
pub fn measure(
    n: usize,
    budget: Duration,
    mut warm: impl FnMut(usize),
    mut decide: impl FnMut(usize) -> Decision,
) -> Latency {
    let n = n.max(1);
    let overhead = timer_overhead_ns();
    let warm_up = Instant::now();
    for i in 0..n {
        black_box(decide(i));
        if warm_up.elapsed() >= budget / 10 {
            break;
        }
    }

    let half = budget / 2;
    let start = Instant::now();
    let mut passes = 0usize;
    let elapsed = loop {
        for i in 0..n {
            black_box(decide(i));
        }
        passes += 1;
        let e = start.elapsed();
        if e >= half {
            break e;
        }
    };
    let per_second = (passes * n) as f64 / elapsed.as_secs_f64().max(1e-9);

    let mut samples: Vec<f64> = Vec::with_capacity(n);
    let start = Instant::now();
    loop {
        for i in 0..n {
            warm(i);
            let t = Instant::now();
            let d = decide(i);
            let e = t.elapsed();
            black_box(d);
            samples.push((e.as_nanos() as f64 - overhead).max(0.0));
        }
        if start.elapsed() >= half || samples.len() >= 20_000_000 {
            break;
        }
    }
    samples.sort_unstable_by(f64::total_cmp);
    let at = |q: f64| {
        let k = ((samples.len() as f64 * q) as usize).min(samples.len().saturating_sub(1));
        samples.get(k).copied().unwrap_or(0.0)
    };
    Latency {
        samples: samples.len(),
        mean_ns: samples.iter().sum::<f64>() / samples.len().max(1) as f64,
        p50_ns: at(0.50),
        p99_ns: at(0.99),
        per_second,
    }
}

/// A step for walking a mix of `n` requests one iteration at a time (criterion): about `n/φ`
/// and coprime with `n`, so that every `n` steps visit each request once and any run of
/// consecutive steps is spread evenly over the mix. Walking the mix in order would give each
/// criterion sample one contiguous slice of a heavy-tailed mix, and the larger samples, which
/// weigh most in criterion's estimate, other slices than the smaller ones.
pub fn stride(n: usize) -> usize {
    if n <= 2 {
        return 1;
    }
    let mut s = ((n as f64) * 0.618_033_988_75) as usize;
    while gcd(s, n) != 1 {
        s += 1;
    }
    s
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// How many requests of a mix each decision got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mix {
    /// `Allow`.
    pub allow: usize,
    /// `ExplicitDeny`.
    pub explicit_deny: usize,
    /// `ImplicitDeny`.
    pub implicit_deny: usize,
}

impl Mix {
    /// Counts `decisions`.
    pub fn of(decisions: impl IntoIterator<Item = Decision>) -> Mix {
        let mut m = Mix::default();
        for d in decisions {
            match d {
                Decision::Allow => m.allow += 1,
                Decision::ExplicitDeny => m.explicit_deny += 1,
                Decision::ImplicitDeny => m.implicit_deny += 1,
            }
        }
        m
    }

    /// `48% / 27% / 25%` (allow / explicit deny / implicit deny).
    pub fn percentages(&self) -> String {
        let n = (self.allow + self.explicit_deny + self.implicit_deny).max(1) as f64;
        let p = |k: usize| 100.0 * k as f64 / n;
        format!(
            "{:.0}% / {:.0}% / {:.0}%",
            p(self.allow),
            p(self.explicit_deny),
            p(self.implicit_deny)
        )
    }
}

/// A duration in ns, written with a unit that keeps three digits (`412 ns`, `3.1 µs`, `2.4 ms`).
pub fn fmt_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.0} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.1} µs", ns / 1_000.0)
    } else if ns < 1_000_000_000.0 {
        format!("{:.1} ms", ns / 1_000_000.0)
    } else {
        format!("{:.2} s", ns / 1_000_000_000.0)
    }
}

/// A rate with a k/M suffix (`2.4M`).
pub fn fmt_rate(per_second: f64) -> String {
    if per_second >= 1_000_000.0 {
        format!("{:.2}M", per_second / 1_000_000.0)
    } else if per_second >= 1_000.0 {
        format!("{:.1}k", per_second / 1_000.0)
    } else {
        format!("{per_second:.0}")
    }
}

/// A count with thousands separators (`101,233`).
pub fn fmt_count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(fmt_ns(412.4), "412 ns");
        assert_eq!(fmt_ns(3_140.0), "3.1 µs");
        assert_eq!(fmt_ns(2_400_000.0), "2.4 ms");
        assert_eq!(fmt_rate(2_400_000.0), "2.40M");
        assert_eq!(fmt_count(101_233), "101,233");
        assert_eq!(fmt_count(12), "12");
    }

    #[test]
    fn measure_reports_percentiles() {
        let l = measure(
            10,
            Duration::from_millis(20),
            |_| {},
            |i| {
                if i % 2 == 0 {
                    Decision::Allow
                } else {
                    Decision::ImplicitDeny
                }
            },
        );
        assert!(l.samples >= 10 && l.per_second > 0.0, "{l:?}");
        assert!(l.p50_ns <= l.p99_ns, "{l:?}");
    }

    #[test]
    fn stride_visits_every_request_once_per_pass() {
        for n in [1, 2, 3, 10, 4096, 1000] {
            let s = stride(n);
            let mut seen = vec![false; n];
            let mut i = 0;
            for _ in 0..n {
                i = (i + s) % n;
                seen[i] = true;
            }
            assert!(seen.iter().all(|x| *x), "n={n} stride={s}");
        }
    }

    #[test]
    fn mix_percentages() {
        let m = Mix::of([
            Decision::Allow,
            Decision::Allow,
            Decision::ImplicitDeny,
            Decision::ExplicitDeny,
        ]);
        assert_eq!(m.percentages(), "50% / 25% / 25%");
    }
}
