//! Two pieces of load-time work side by side: the one parallel primitive the loader uses.
//!
//! Loading a large decision file is CPU-bound and splits into independent halves (sections
//! that need nothing from each other; the per-policy layouts of two ranges of policies; the
//! plans of two ranges of principals). [`join`] runs one half on a scoped helper thread while
//! the calling thread runs the other. No pool, no global state: a load happens once per file,
//! and a thread costs tens of microseconds against tens of milliseconds of work, so callers
//! ask for it only on large inputs (and the fuzzers keep their throughput on small ones).
//!
//! The result never depends on whether the work ran in parallel: each half is a pure
//! function of its inputs, and the caller combines the halves in a fixed order.

use std::sync::Mutex;

/// Runs `a` on this thread and `b` beside it when `parallel`, else one after the other;
/// returns both results. `b` runs here too when no thread can be started. The second result
/// is `None` only if `b`'s thread ended without one (it cannot panic; callers fail closed).
pub fn join<A, B>(
    parallel: bool,
    a: impl FnOnce() -> A,
    b: impl FnOnce() -> B + Send,
) -> (A, Option<B>)
where
    B: Send,
{
    if !parallel {
        let ra = a();
        return (ra, Some(b()));
    }
    // `b` waits in a slot both threads can reach, so that this thread can take it back when
    // the helper cannot be started.
    let slot = Mutex::new(Some(b));
    let take = || slot.lock().ok().and_then(|mut g| g.take());
    std::thread::scope(|s| {
        let started = std::thread::Builder::new()
            .name("gavel-load".into())
            .spawn_scoped(s, || take().map(|f| f()));
        let ra = a();
        let rb = match started {
            Ok(handle) => handle.join().ok().flatten(),
            Err(_) => take().map(|f| f()),
        };
        (ra, rb)
    })
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn both_halves_run_either_way() {
        for parallel in [false, true] {
            let data = [1u64, 2, 3, 4];
            let (a, b) = join(
                parallel,
                || data[..2].iter().sum::<u64>(),
                || data[2..].iter().sum::<u64>(),
            );
            assert_eq!((a, b), (3, Some(7)), "parallel: {parallel}");
        }
    }

    #[test]
    fn the_helper_half_runs_on_another_thread_only_when_asked() {
        let here = std::thread::current().id();
        let (_, there) = join(true, || (), || std::thread::current().id());
        assert_ne!(there, Some(here));
        let (_, there) = join(false, || (), || std::thread::current().id());
        assert_eq!(there, Some(here));
    }
}
