//! The request-side matchers and value comparisons the compiled runtime's `authorize` uses
//! allocate nothing: a counting global allocator watches each call on typical inputs.
//!
//! The counter is per thread, so the test harness's own threads (and tests running in
//! parallel) cannot disturb a measurement.

// `GlobalAlloc` is an `unsafe` trait; implementing it is the only way to observe allocations.
// The implementation only forwards to `System` and counts, and lives in this test file alone.
#![allow(unsafe_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests report failures by panicking"
)]

use gavel_runtime::glob::{
    STACK_POSITIONS, Tok, arn_like, glob_match, glob_match_ci, resource_matches,
};
use gavel_runtime::value::{
    Decimal, Instant, base64_equals, cmp_decimal_text, cmp_instant_text, parse_base64, parse_bool,
    parse_cidr, parse_ip,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::cmp::Ordering;
use std::hint::black_box;

thread_local! {
    /// Allocations (including zeroed allocations and reallocations) made by this thread.
    /// `const`-initialized with no destructor, so touching it never allocates itself.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// `System`, counting every request for memory.
struct Counting;

fn count() {
    // `try_with`: the allocator may run while a thread's locals are being torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counting touches no memory the allocator hands out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's guarantees for `layout` are passed on as they are.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: `ptr` was allocated by `System` (through this forwarder) with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` (through this forwarder) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How many allocations `f` makes on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = black_box(f());
    (ALLOCATIONS.with(Cell::get) - before, result)
}

/// Asserts that `f` allocates nothing, after one warm-up call (so nothing the first call of
/// anything might set up, lazily and once, is blamed on it), and returns its answer.
#[track_caller]
fn assert_no_alloc<R: PartialEq + std::fmt::Debug>(what: &str, f: impl Fn() -> R) -> R {
    let warm = f();
    let (n, result) = allocations(&f);
    assert_eq!(n, 0, "{what} allocated {n} times");
    assert_eq!(result, warm, "{what} answered differently twice");
    result
}

fn g(s: &str) -> Vec<Tok> {
    Tok::glob(s)
}

#[test]
fn the_counter_sees_allocations() {
    let (n, v) = allocations(|| black_box(vec![1u8; 3]));
    assert!(n >= 1, "a Vec must be counted");
    drop(v);
    let (n, _) = allocations(|| black_box(String::from("x").len()));
    assert!(n >= 1);
}

#[test]
fn glob_matchers_do_not_allocate() {
    let cases: [(&str, &str, bool); 12] = [
        ("abc", "abc", true),
        ("abc", "abd", false),
        ("Get*", "GetObject", true),
        ("*Object", "GetObject", true),
        ("*", "", true),
        ("a*b*c", "axxbyyc", true),
        ("a*b*c", "axxbyy", false),
        ("h?llo", "héllo", true),
        ("日本*", "日本語", true),
        (
            "*/test/*",
            "amzn-s3-demo-bucket/1/2/test/3/object.jpg",
            true,
        ),
        ("a?*?b", "a:b", false),
        ("", "", true),
    ];
    for (pattern, text, want) in cases {
        let p = g(pattern);
        let got = assert_no_alloc(pattern, || glob_match(black_box(&p), black_box(text)));
        assert_eq!(got, want, "{pattern} {text}");
    }
    for (pattern, text, want) in [
        ("getobject", "GetObject", true),
        ("Get*", "getOBJECT", true),
        ("*object", "PutObjectAcl", false),
        ("list?ucket*", "ListBucketVersions", true),
        ("é*", "É", false),
    ] {
        let p = g(pattern);
        let got = assert_no_alloc(pattern, || glob_match_ci(black_box(&p), black_box(text)));
        assert_eq!(got, want, "{pattern} {text}");
    }
}

#[test]
fn resource_and_arn_matchers_do_not_allocate() {
    for (pattern, resource, want) in [
        ("*", "*", true),
        ("arn:aws:s3:::b", "*", false),
        (
            "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*",
            "arn:aws:s3:::amzn-s3-demo-bucket/1/2/test/3/object.jpg",
            true,
        ),
        ("arn:aws:s3:*", "arn:aws:s3:::b/k", true),
        (
            "arn:aws:iam::*:role/x",
            "arn:aws:iam::111122223333:role/x",
            true,
        ),
        (
            "arn:aws:ec2:us-*-1:1:instance/*",
            "arn:aws:ec2:us-x:y-1:1:instance/i-1",
            false,
        ),
        (
            "arn:aws:*:*:*:*",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
            true,
        ),
        ("arn:aws:s3:::*log*", "arn:aws:s3:::a:b:log:c", true),
        ("arn:aws:s3:::b", "not-an-arn", false),
    ] {
        let p = g(pattern);
        let got = assert_no_alloc(pattern, || {
            resource_matches(black_box(&p), black_box(resource))
        });
        assert_eq!(got, want, "{pattern} {resource}");
    }
    for (pattern, value, want) in [
        (
            "arn:aws:sns:*:111122223333:topic-*",
            "arn:aws:sns:us-east-1:111122223333:topic-a",
            true,
        ),
        (
            "arn:aws:someservice:*:111122223333:finance/*",
            "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
            false,
        ),
        (
            "arn:aws:lambda:us-east-1:1:function:*",
            "arn:aws:lambda:us-east-1:1:function:f:3",
            true,
        ),
        ("arn:aws:s3:*", "arn:aws:s3:::b", false),
        ("arn:aws:s3:::*", "arn:aws:s3::b", false),
    ] {
        let p = g(pattern);
        let got = assert_no_alloc(pattern, || arn_like(black_box(&p), black_box(value)));
        assert_eq!(got, want, "{pattern} {value}");
    }
}

/// `*a*a…*`, `tokens` long: with a wildcard at both ends the whole pattern is the wildcard
/// middle the automaton runs over (literal ends are matched without it).
fn star_a(tokens: usize) -> Vec<Tok> {
    (0..tokens)
        .map(|i| {
            if i % 2 == 0 || i + 1 == tokens {
                Tok::Star
            } else {
                Tok::Char('a')
            }
        })
        .collect()
}

/// Patterns filling each stack bitset to its last position still stay off the heap; one token
/// more than the large stack set holds is the documented heap fallback.
#[test]
fn long_patterns_stay_on_the_stack_up_to_the_documented_bound() {
    for tokens in [63, 64, 255, 256, 1000, 4096, STACK_POSITIONS - 1] {
        let pattern = star_a(tokens);
        let text = "ab".repeat(100);
        assert_no_alloc("long glob", || glob_match(&pattern, &text));
        assert_no_alloc("long glob_ci", || glob_match_ci(&pattern, &text));
        let mut resource = pattern.clone();
        resource.splice(0..0, g("arn:aws:s3:::"));
        // The literal prefix is matched directly, so the middle is still `tokens` long.
        let arn = format!("arn:aws:s3:::{text}");
        assert_no_alloc("long resource", || resource_matches(&resource, &arn));
        assert_no_alloc("long arn_like", || arn_like(&resource, &arn));
    }
    // A `?` keeps the pattern off the greedy `*`-segment path, so the automaton runs.
    let mut pattern = star_a(STACK_POSITIONS);
    pattern[1] = Tok::Quest;
    let (n, _) = allocations(|| glob_match(&pattern, "aaa"));
    assert!(n > 0, "beyond the stack bound the heap fallback is used");
}

#[test]
fn value_comparisons_do_not_allocate() {
    let ten = Decimal::parse("10").unwrap();
    for (text, want) in [
        ("10.0", Some(Ordering::Equal)),
        ("9.99", Some(Ordering::Less)),
        ("-0", Some(Ordering::Less)),
        ("123456789012345678901234567890", Some(Ordering::Greater)),
        ("1e5", None),
    ] {
        let got = assert_no_alloc(text, || cmp_decimal_text(black_box(text), &ten));
        assert_eq!(got, want, "{text}");
    }
    let new_year = Instant::parse("2030-01-01T00:00:00Z").unwrap();
    for (text, want) in [
        ("2030-01-01T02:00:00+02:00", Some(Ordering::Equal)),
        ("2029-12-31T23:59:59.999Z", Some(Ordering::Less)),
        ("2030-01-01T00:00:00.5Z", Some(Ordering::Greater)),
        ("1893456000", Some(Ordering::Equal)),
        ("2030-01", Some(Ordering::Equal)),
        ("2030-02-30", None),
        ("tomorrow", None),
    ] {
        let got = assert_no_alloc(text, || cmp_instant_text(black_box(text), &new_year));
        assert_eq!(got, want, "{text}");
    }
    let hi = parse_base64("aGk=").unwrap();
    for (text, want) in [
        ("aGk=", Some(true)),
        ("aGk", Some(true)),
        ("aGl=", None),
        ("aGo=", Some(false)),
        ("!!", None),
    ] {
        let got = assert_no_alloc(text, || base64_equals(black_box(text), &hi));
        assert_eq!(got, want, "{text}");
    }
    let long = "QUJD".repeat(341); // 1364 characters, 1023 bytes: the largest on the stack
    let bytes = parse_base64(&long).unwrap();
    assert_eq!(
        assert_no_alloc("long base64", || base64_equals(&long, &bytes)),
        Some(true)
    );

    let net = parse_cidr("10.0.0.0/8").unwrap();
    for (text, inside) in [
        ("10.1.2.3", Some(true)),
        ("192.0.2.1", Some(false)),
        ("10.1.2.3/24", Some(true)),
        ("2001:db8::1", Some(false)),
        ("nope", None),
    ] {
        let got = assert_no_alloc(text, || parse_ip(black_box(text)).map(|a| net.contains(&a)));
        assert_eq!(got, inside, "{text}");
    }
    for (text, want) in [("TRUE", Some(true)), ("false", Some(false)), ("yes", None)] {
        assert_eq!(assert_no_alloc(text, || parse_bool(black_box(text))), want);
    }
}

/// The hot path: `Engine::authorize` on the committed tiny organization's decision file
/// (conditions, policy variables, a boundary, a group, a role session, a bucket policy, an SCP
/// and an RCP) allocates nothing once the thread's scratch buffers exist, for allowed,
/// explicitly denied, implicitly denied and failed (unknown principal) requests alike.
#[test]
fn authorize_does_not_allocate_in_steady_state() {
    use gavel_runtime::{Context, ContextValue, Decision, Engine, Principal, Request};
    let bytes = include_bytes!("../../compiler/tests/fixtures/v1-tiny-org.gavel");
    let engine = Engine::from_static(bytes).unwrap();
    let request = |principal: &str, action: &str, resource: &str, ctx: &[(&str, &str)]| {
        let mut context = Context::new();
        for (k, v) in ctx {
            context
                .insert(k, ContextValue::Single((*v).to_string()))
                .unwrap();
        }
        Request {
            principal: Principal::parse(principal).unwrap(),
            action: action.into(),
            resource: resource.into(),
            resource_account: None,
            context,
            session: None,
            time: Some(1_767_225_600),
        }
    };
    let secure = [
        ("aws:SecureTransport", "true"),
        ("aws:SourceIp", "10.1.2.3"),
    ];
    let cases = [
        (
            request(
                "arn:aws:iam::222222222222:user/alice",
                "s3:GetObject",
                "arn:aws:s3:::tiny-web/index.html",
                &secure,
            ),
            Decision::Allow,
        ),
        (
            request(
                "arn:aws:iam::222222222222:user/alice",
                "s3:GetObject",
                "arn:aws:s3:::tiny-web/index.html",
                &[("aws:SecureTransport", "false")],
            ),
            Decision::ExplicitDeny,
        ),
        (
            request(
                "arn:aws:iam::222222222222:user/alice",
                "ec2:RunInstances",
                "*",
                &[],
            ),
            Decision::ImplicitDeny,
        ),
        (
            request(
                "arn:aws:sts::222222222222:assumed-role/Deployer/ci",
                "s3:PutObject",
                "arn:aws:s3:::tiny-web/releases/v1.zip",
                &secure,
            ),
            Decision::Allow,
        ),
        (
            request(
                "arn:aws:iam::222222222222:user/nobody",
                "s3:GetObject",
                "arn:aws:s3:::tiny-web/x",
                &[],
            ),
            Decision::ExplicitDeny,
        ),
    ];
    for (req, want) in &cases {
        let got = assert_no_alloc("Engine::authorize", || engine.authorize(req));
        assert_eq!(got, *want, "{req:?}");
        assert_eq!(engine.authorize_explain(req).decision, *want);
    }
}
