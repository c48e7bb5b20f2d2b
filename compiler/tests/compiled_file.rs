//! Compiled tables written to a decision file and read back (`gavel_runtime::format::tables`):
//! the example organization and the conformance cases round-trip exactly and are decided
//! alike from memory and from the file; one tiny organization's file is committed and
//! compared byte for byte; damaged and crafted versions of a real file are refused with a
//! `LoadError`, never a panic.
//!
//! Re-generate the committed file after a deliberate format or lowering change:
//!
//! ```text
//! GAVEL_BLESS=1 cargo test -p gavel-compiler --release --test compiled_file
//! ```

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests report failures by panicking"
)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use gavel_compiler::agreement::same_answer;
use gavel_compiler::conformance::{parse_case, parse_org_case};
use gavel_compiler::lower::{CompileOptions, compile_case, compile_org, runtime_request};
use gavel_compiler::org::load::{LoadOptions, load_for_cli_with};
use gavel_compiler::text::load_org_file;
use gavel_runtime::format::{File, FileBuilder, SectionKind, decode, encode, verify};
use gavel_runtime::tables::{Scope, Tables};
use gavel_runtime::{Engine, Request};

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

fn example_org_tables() -> Tables {
    let org = load_for_cli_with(&root().join("corpus/example-org/manifest.json"), &[])
        .unwrap_or_else(|e| panic!("{e}"));
    compile_org(&org, &CompileOptions::default()).unwrap()
}

fn tiny_org_tables() -> Tables {
    let org = load_org_file(&fixtures().join("tiny-org.gavel"), &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .value;
    compile_org(&org, &CompileOptions::default()).unwrap()
}

/// The example organization's conformance requests, as the runtime takes them.
fn example_org_requests() -> Vec<(String, Request)> {
    let text =
        std::fs::read_to_string(root().join("corpus/conformance/org-example.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|line| {
            let case = parse_org_case(line).unwrap_or_else(|e| panic!("{}", e.message));
            // Requests the library refuses to build are denied before any tables are asked.
            runtime_request(&case.request).ok().map(|r| (case.id, r))
        })
        .collect()
}

/// Encodes, validates and decodes `t`; the result must equal `t` (already checked).
fn round_trip(t: &Tables, label: &str) -> Vec<u8> {
    let bytes = encode(t);
    let report = verify(&bytes);
    assert!(report.is_ok(), "{label}: {report}");
    let file = File::from_bytes(&bytes[..]).unwrap();
    let back = decode(&file).unwrap_or_else(|e| panic!("{label}: {e}"));
    assert!(back == *t, "{label}: the tables read back differ");
    assert_eq!(encode(&back), bytes, "{label}: re-encoding differs");
    bytes
}

#[test]
fn example_org_round_trips() {
    let t = example_org_tables();
    let bytes = round_trip(&t, "example org");
    // Deterministic: compiling and encoding again gives the same bytes.
    assert_eq!(encode(&example_org_tables()), bytes);

    // With the AWS action catalogue (many more known actions and classes).
    let catalog =
        std::fs::read_to_string(root().join("../shared/corpus/aws-service-reference.json"));
    if let Ok(text) = catalog {
        let org = load_for_cli_with(&root().join("corpus/example-org/manifest.json"), &[])
            .unwrap_or_else(|e| panic!("{e}"));
        let opts = CompileOptions {
            catalog: gavel_compiler::lower::read_catalog(&text).unwrap(),
            no_fold: false,
        };
        let t = compile_org(&org, &opts).unwrap();
        round_trip(&t, "example org with the catalogue");
    }
}

#[test]
fn conformance_cases_round_trip_and_decide_alike() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("corpus/conformance"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".jsonl") && !name.starts_with("org-")
        })
        .collect();
    files.sort();
    let mut cases = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        // Every spec case; every 5th case of the (larger) peer files.
        let stride = if name == "spec-cases.jsonl" { 1 } else { 5 };
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .step_by(stride)
        {
            let label = format!("{name}:{}", i + 1);
            let case = parse_case(line, i + 1).unwrap_or_else(|e| panic!("{label}: {}", e.message));
            let t = compile_case(&case.set, &CompileOptions::default()).unwrap();
            let bytes = round_trip(&t, &label);
            let from_file = Engine::from_bytes(bytes).unwrap();
            let want = gavel_runtime::eval::authorize_explain(&t, &case.request);
            let got = from_file.authorize_explain(&case.request);
            assert!(
                same_answer(&want, &got),
                "{label}: {want:?}\nfrom the file: {got:?}"
            );
            cases += 1;
        }
    }
    assert!(cases > 1000, "only {cases} cases");
}

#[test]
fn engine_from_tables_and_from_the_file_answer_alike_on_the_example_org() {
    let t = example_org_tables();
    let in_memory = Engine::from_tables(t.clone());
    let from_file = Engine::from_bytes(encode(&t)).unwrap();
    let requests = example_org_requests();
    assert!(requests.len() > 30, "{}", requests.len());
    for (id, r) in &requests {
        let a = in_memory.authorize_explain(r);
        let b = from_file.authorize_explain(r);
        assert!(same_answer(&a, &b), "{id}: {a:?}\nfrom the file: {b:?}");
        assert_eq!(a.basis, b.basis, "{id}");
        assert_eq!(in_memory.authorize(r), from_file.authorize(r), "{id}");
        assert_eq!(from_file.authorize(r), b.decision, "{id}");
    }
}

#[test]
fn tiny_org_file_is_byte_for_byte_the_committed_one() {
    let golden = fixtures().join("v1-tiny-org.gavel");
    let t = tiny_org_tables();
    let built = round_trip(&t, "tiny org");
    let Scope::Org(org) = &t.scope else {
        panic!("the tiny organization compiled to a fixed set")
    };
    assert_eq!(
        (
            org.accounts.len(),
            org.principals.len(),
            org.resources.len()
        ),
        (2, 2, 1),
        "the tiny organization is not what tiny-org.gavel describes"
    );
    if std::env::var_os("GAVEL_BLESS").is_some() {
        std::fs::write(&golden, &built).unwrap();
        eprintln!("wrote {} ({} bytes)", golden.display(), built.len());
        return;
    }
    let committed = std::fs::read(&golden)
        .unwrap_or_else(|e| panic!("{}: {e}; generate it with GAVEL_BLESS=1", golden.display()));
    if committed != built {
        let first = committed
            .iter()
            .zip(&built)
            .position(|(a, b)| a != b)
            .unwrap_or(committed.len().min(built.len()));
        let section = File::from_bytes(&built[..])
            .unwrap()
            .sections()
            .map(|(k, _)| k)
            .find(|k| section_range(&built, *k).contains(&first));
        panic!(
            "the tiny organization no longer compiles to {} (first difference at byte {first}, \
             in section {section:?}; lengths {} committed, {} built). If the format or the \
             lowering changed on purpose, update runtime/FORMAT.md (format changes) and \
             re-generate the file with GAVEL_BLESS=1 in the same commit",
            golden.display(),
            committed.len(),
            built.len()
        );
    }
    // The committed file loads, mapped, into the same tables.
    let engine = Engine::open(&golden).unwrap();
    assert_eq!(engine.snapshot().tables(), &t);
}

/// `[offset, offset + len)` of a section, from the section table of a valid file.
fn section_range(bytes: &[u8], kind: SectionKind) -> std::ops::Range<usize> {
    let count = u32::from_le_bytes(bytes[40..44].try_into().unwrap()) as usize;
    let table = u64::from_le_bytes(bytes[32..40].try_into().unwrap()) as usize;
    for i in 0..count {
        let e = &bytes[table + 32 * i..table + 32 * (i + 1)];
        if u32::from_le_bytes(e[0..4].try_into().unwrap()) == kind.as_u32() {
            let offset = u64::from_le_bytes(e[8..16].try_into().unwrap()) as usize;
            let len = u64::from_le_bytes(e[16..24].try_into().unwrap()) as usize;
            return offset..offset + len;
        }
    }
    0..0
}

/// Loads `bytes` as an engine, catching panics; when it loads, decides every request.
fn load_never_panics(bytes: Vec<u8>, requests: &[(String, Request)], label: &str) -> bool {
    let outcome = catch_unwind(AssertUnwindSafe(|| match Engine::from_bytes(bytes) {
        Ok(engine) => {
            for (_, r) in requests {
                let _ = engine.authorize(r);
                let _ = engine.authorize_explain(r);
            }
            true
        }
        Err(e) => {
            // Every refusal renders a message.
            assert!(!e.to_string().is_empty());
            false
        }
    }));
    outcome.unwrap_or_else(|_| panic!("{label}: loading or deciding panicked"))
}

/// The sections of a valid file.
fn sections_of(bytes: &[u8]) -> Vec<(SectionKind, Vec<u8>)> {
    File::from_bytes(bytes)
        .unwrap()
        .sections()
        .map(|(k, b)| (k, b.to_vec()))
        .collect()
}

/// A valid container holding `sections` (checksums recomputed).
fn build(sections: &[(SectionKind, Vec<u8>)]) -> Vec<u8> {
    let mut b = FileBuilder::new();
    for (k, s) in sections {
        b.add_section(*k, s.clone());
    }
    b.finish().unwrap()
}

#[test]
fn damaged_example_org_files_are_refused_never_panicking() {
    let t = example_org_tables();
    let full = encode(&t);
    let requests: Vec<(String, Request)> = example_org_requests().into_iter().step_by(4).collect();

    // Every truncation of the file: the container refuses it.
    for len in (0..full.len()).step_by(7).chain(full.len() - 8..full.len()) {
        let err = Engine::from_bytes(full[..len].to_vec()).unwrap_err();
        assert!(
            err.is_too_short() || err.is_length_mismatch(),
            "{len}: {err}"
        );
    }

    // A flipped byte in every section: its checksum names it.
    let file = File::from_bytes(&full[..]).unwrap();
    for (kind, section) in file.sections() {
        let range = section_range(&full, kind);
        assert_eq!(range.len(), section.len());
        for at in range.step_by(11) {
            let mut bytes = full.clone();
            bytes[at] ^= 0x04;
            let err = Engine::from_bytes(bytes).unwrap_err();
            assert!(err.is_checksum_mismatch(), "{kind} byte {at}: {err}");
            assert_eq!(err.section(), Some(kind), "{err}");
        }
    }

    // Behind recomputed checksums, only the table decoder stands between the damage and the
    // evaluator: truncated sections, flipped bytes and huge words.
    let sections = sections_of(&full);
    let (mut loaded, mut refused) = (0, 0);
    for (i, (kind, section)) in sections.iter().enumerate() {
        let edit = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut s = sections.clone();
            f(&mut s[i].1);
            build(&s)
        };
        let step = (section.len() / 400).max(1);
        for len in (0..section.len()).step_by(step) {
            let ok = load_never_panics(
                edit(&|s| s.truncate(len)),
                &requests,
                &format!("{kind} cut at {len}"),
            );
            assert!(!ok, "{kind} cut at {len} still loads");
        }
        for at in (0..section.len()).step_by(step) {
            for x in [0x01u8, 0x80] {
                let ok = load_never_panics(
                    edit(&|s| s[at] ^= x),
                    &requests,
                    &format!("{kind} byte {at} ^ {x:#x}"),
                );
                if ok { loaded += 1 } else { refused += 1 }
            }
        }
        for w in (0..section.len() / 4).step_by(step) {
            for v in [u32::MAX, 0x8000_0000, 0x0100_0000] {
                let ok = load_never_panics(
                    edit(&|s| s[4 * w..4 * w + 4].copy_from_slice(&v.to_le_bytes())),
                    &requests,
                    &format!("{kind} word {w} = {v:#x}"),
                );
                if ok { loaded += 1 } else { refused += 1 }
            }
        }
    }
    eprintln!("{refused} damaged files refused, {loaded} loaded and decided without a panic");
    assert!(refused > loaded);

    // A wrong version, however the rest looks.
    let mut bytes = full.clone();
    bytes[12..16].copy_from_slice(&2u32.to_le_bytes());
    let err = Engine::from_bytes(bytes).unwrap_err();
    assert!(err.is_unsupported_version(), "{err}");
}

/// A role session's `Principal` is the caller's to fill in: a forged service-linked flag must
/// not lift the SCPs of an ordinary role, whether or not the session names the role's ARN (the
/// runtime re-derives the flag from the role's ARN, or from the session's role ARN it parsed).
#[test]
fn a_forged_service_linked_flag_does_not_lift_scps() {
    use gavel_runtime::{Context, Decision, Principal, SessionInfo};
    let engine = Engine::from_tables(tiny_org_tables());
    let role = "arn:aws:iam::222222222222:role/Deployer";
    let ask = |forged: bool, session_names_role: bool| {
        let mut principal =
            Principal::parse("arn:aws:sts::222222222222:assumed-role/Deployer/s").unwrap();
        // The principal names its role's ARN itself, then claims the role is service-linked.
        principal.set_role_arn(role);
        principal.service_linked = forged;
        let session = session_names_role.then(|| {
            Box::new(SessionInfo {
                federated: false,
                arn: principal.arn.clone(),
                role_arn: Some(role.into()),
                parent_arn: None,
                issued_at: 1_700_000_000,
                expires_at: 1_800_000_000,
                tags: Vec::new(),
                source_identity: None,
                mfa: false,
                federated_provider: None,
                inline_policy: None,
                policy_arns: Vec::new(),
            })
        });
        let request = Request {
            principal,
            action: "organizations:LeaveOrganization".into(),
            resource: "*".into(),
            resource_account: None,
            context: Context::new(),
            session,
            time: Some(1_750_000_000),
        };
        engine.authorize(&request)
    };
    for session in [false, true] {
        // The root's `DenyLeave` SCP decides: an explicit deny, not the implicit deny the
        // role's own policies alone would give.
        assert_eq!(
            ask(false, session),
            Decision::ExplicitDeny,
            "session {session}"
        );
        assert_eq!(
            ask(true, session),
            Decision::ExplicitDeny,
            "forged, session {session}"
        );
    }
}

/// Decoding on one thread and on two (as `Engine::open` does for large files) gives the same
/// tables and the same decisions, on the example organization and on a generated one of
/// hundreds of policies, where the statements section, the policy layouts and the principals'
/// plans are each split in two halves.
#[test]
fn one_and_two_decoding_threads_decide_alike() {
    use gavel_compiler::workload::{Scale, generate};
    let generated = generate(Scale::S, 20_261_124, &[]).unwrap();
    let generated_requests: Vec<(String, Request)> = generated
        .requests
        .iter()
        .enumerate()
        .map(|(i, r)| (format!("generated #{i}"), runtime_request(r).unwrap()))
        .collect();
    let generated_tables = compile_org(&generated.org, &CompileOptions::default()).unwrap();
    assert!(generated_tables.policies.len() > 100);
    for (label, t, requests) in [
        ("example org", example_org_tables(), example_org_requests()),
        ("generated S", generated_tables, generated_requests),
    ] {
        let bytes = encode(&t);
        let file = File::from_bytes(&bytes[..]).unwrap();
        let one = gavel_runtime::format::decode_with(&file, false).unwrap();
        let two = gavel_runtime::format::decode_with(&file, true).unwrap();
        assert!(
            one == t,
            "{label}: one thread differs from the compiled tables"
        );
        assert!(one.actions == two.actions, "{label}");
        assert!(one.policies == two.policies, "{label}");
        assert!(one.scope == two.scope, "{label}");
        assert!(
            one.derived.policy_index == two.derived.policy_index,
            "{label}"
        );
        let (e1, e2) = (Engine::from_tables(one), Engine::from_tables(two));
        for (id, r) in &requests {
            assert_eq!(e1.authorize(r), e2.authorize(r), "{label} {id}");
            assert_eq!(
                e1.authorize_explain(r),
                e2.authorize_explain(r),
                "{label} {id}"
            );
        }
    }
}

/// A user's federated users read its unspecialized policy lists; nothing reads a role's, so
/// the compiler writes none and the loader plans none.
#[test]
fn only_users_carry_unspecialized_lists() {
    use gavel_runtime::tables::RecordKind;
    let t = example_org_tables();
    let Scope::Org(org) = &t.scope else {
        panic!("the example is an organization");
    };
    let roles = org.principals.iter().filter(|p| p.kind == RecordKind::Role);
    assert!(roles.clone().any(|p| !p.identity.is_empty()));
    assert!(
        org.principals
            .iter()
            .any(|p| p.kind == RecordKind::User && !p.identity_raw.is_empty())
    );
    assert_eq!(t.derived.principal_hot.len(), org.principals.len());
    for (p, hot) in org.principals.iter().zip(&t.derived.principal_hot) {
        let plans = hot.plans();
        match p.kind {
            RecordKind::Role => {
                assert!(
                    p.identity_raw.is_empty() && p.boundaries_raw.is_empty(),
                    "{}",
                    p.arn
                );
                assert_eq!(plans[2..], [None, None], "{}", p.arn);
            }
            RecordKind::User => {
                assert_eq!(p.identity_raw.len(), p.identity.len(), "{}", p.arn);
                assert_eq!(p.boundaries_raw.len(), p.boundaries.len(), "{}", p.arn);
            }
        }
    }
}
