//! The decision tables in a file (`format::tables`): hand-built tables that use every variant
//! of every type round-trip exactly; the encoding is deterministic; and crafted, truncated and
//! corrupted files are refused with a `LoadError` that names the section, never a panic.
//! (Tables compiled from real policies are tested in `compiler/tests/compiled_file.rs`.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests report failures by panicking"
)]

mod format_support;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use gavel_runtime::cond_value::CondValue;
use gavel_runtime::format::{self, File, FileBuilder, LoadError, SectionKind, decode, encode};
use gavel_runtime::glob::Tok;
use gavel_runtime::operator::{BaseOp, Operator, SetOp};
use gavel_runtime::pattern::{Part, Template};
use gavel_runtime::principal::PrincipalType;
use gavel_runtime::tables::{
    Account, ActionIndex, ActionPattern, ActionPatterns, Actions, Clause, OrgTables, Policy,
    PolicySets, PrincipalRecord, Principals, RecordKind, ResourcePattern, ResourceRecord,
    Resources, Scope, Statement, Tables,
};
use gavel_runtime::value::{Decimal, Instant, parse_cidr};
use gavel_runtime::{Context, ContextValue, Effect, Engine, Principal, Request};

fn clause(base: BaseOp, set: Option<SetOp>, key: &str, values: Vec<Option<CondValue>>) -> Clause {
    let operator = Operator {
        set,
        base,
        if_exists: set.is_some(),
    };
    Clause::new(operator, key.into(), values)
}

/// Statements that between them use every variant the format encodes.
fn statements() -> Vec<Statement> {
    let template = Template {
        parts: vec![
            Part::Lit("arn:aws:s3:::bücket-".into()),
            Part::Var {
                key: "aws:username".into(),
                default: None,
            },
            Part::Escaped('*'),
            Part::Text("x*?".into()),
            Part::Var {
                key: "aws:principaltag/team".into(),
                default: Some("nobody".into()),
            },
            Part::Escaped('€'),
        ],
    };
    let mut glob = Tok::glob("arn:*:s3:::é?");
    glob.push(Tok::Char('*'));
    glob.push(Tok::Star);
    glob.push(Tok::Char('?'));
    vec![
        Statement {
            index: 0,
            sid: Some("AllowMost".into()),
            effect: Effect::Allow,
            principal: None,
            actions: Actions {
                negated: false,
                patterns: ActionPatterns::Indexed(vec![0, 2].into()),
            },
            resources: Some(Resources {
                negated: false,
                items: vec![
                    ResourcePattern::Any,
                    ResourcePattern::Exact("arn:aws:s3:::b/k".into()),
                    ResourcePattern::Prefix("arn:aws:s3:::b/".into()),
                    ResourcePattern::Glob(glob),
                    ResourcePattern::Template(template.clone()),
                ]
                .into(),
            }),
            conditions: vec![
                clause(
                    BaseOp::StringLike,
                    Some(SetOp::ForAnyValue),
                    "aws:principaltag/team",
                    vec![Some(CondValue::Template(template)), None],
                ),
                clause(
                    BaseOp::NumericLessThan,
                    None,
                    "s3:max-keys",
                    vec![
                        Some(CondValue::Number(Decimal::parse("-0012.50").unwrap())),
                        Some(CondValue::Number(Decimal::parse("0").unwrap())),
                        Some(CondValue::Number(
                            Decimal::parse("123456789012345678901234567890.000001").unwrap(),
                        )),
                    ],
                ),
                clause(
                    BaseOp::DateGreaterThan,
                    Some(SetOp::ForAllValues),
                    "aws:currenttime",
                    vec![
                        Some(CondValue::Date(
                            Instant::parse("2020-01-01T00:00:00.25Z").unwrap(),
                        )),
                        Some(CondValue::Date(Instant {
                            secs: -62_135_596_800,
                            frac: String::new(),
                        })),
                        Some(CondValue::Date(Instant {
                            secs: i64::MAX,
                            frac: "000001".into(),
                        })),
                    ],
                ),
                clause(
                    BaseOp::Bool,
                    None,
                    "aws:securetransport",
                    vec![Some(CondValue::Bool(true)), Some(CondValue::Bool(false))],
                ),
                clause(
                    BaseOp::BinaryEquals,
                    None,
                    "s3:blob",
                    vec![
                        Some(CondValue::Binary(vec![1, 2, 3, 4, 5])),
                        Some(CondValue::Binary(Vec::new())),
                        Some(CondValue::Binary(vec![0xFF; 8])),
                    ],
                ),
                clause(
                    BaseOp::NotIpAddress,
                    None,
                    "aws:sourceip",
                    vec![
                        Some(CondValue::Ip(parse_cidr("10.0.0.0/8").unwrap())),
                        Some(CondValue::Ip(parse_cidr("2001:db8::/32").unwrap())),
                        Some(CondValue::Ip(parse_cidr("192.0.2.7").unwrap())),
                    ],
                ),
                clause(
                    BaseOp::Null,
                    None,
                    "aws:tokenissuetime",
                    vec![Some(CondValue::Null(true)), Some(CondValue::Null(false))],
                ),
                clause(BaseOp::ArnNotLike, None, "aws:sourcearn", Vec::new()),
            ]
            .into(),
        },
        Statement {
            index: 3,
            sid: None,
            effect: Effect::Deny,
            principal: Some(Box::new(Principals {
                negated: true,
                wildcard: false,
                entries: vec![
                    (PrincipalType::Aws, "arn:aws:iam::111122223333:root".into()),
                    (PrincipalType::Service, "ec2.amazonaws.com".into()),
                    (
                        PrincipalType::Federated,
                        "cognito-identity.amazonaws.com".into(),
                    ),
                    (PrincipalType::CanonicalUser, "79a59df900b949e5".into()),
                ],
            })),
            actions: Actions {
                negated: true,
                patterns: ActionPatterns::Direct(vec![
                    ActionPattern::Any,
                    ActionPattern::Never,
                    ActionPattern::Named {
                        service: "iam".into(),
                        name: Tok::glob("create*"),
                    },
                ]),
            },
            resources: Some(Resources {
                negated: true,
                items: Vec::new().into(),
            }),
            conditions: Vec::new().into(),
        },
    ]
}

/// A trust policy statement: `Principal: "*"`, no resources.
fn trust_statement() -> Statement {
    Statement {
        index: 0,
        sid: Some("Trust".into()),
        effect: Effect::Allow,
        principal: Some(Box::new(Principals {
            negated: false,
            wildcard: true,
            entries: Vec::new(),
        })),
        actions: Actions {
            negated: false,
            patterns: ActionPatterns::Indexed(vec![3].into()),
        },
        resources: None,
        conditions: vec![clause(
            BaseOp::StringEquals,
            None,
            "sts:externalid",
            vec![Some(CondValue::Template(Template::literal("🔑")))],
        )]
        .into(),
    }
}

fn action_index() -> ActionIndex {
    ActionIndex {
        patterns: vec![
            ActionPattern::Any,
            ActionPattern::Never,
            ActionPattern::Named {
                service: "s3".into(),
                name: Tok::glob("get*"),
            },
            ActionPattern::Named {
                service: "sts".into(),
                name: vec![Tok::Char('a'), Tok::Char('*'), Tok::Quest, Tok::Star],
            },
        ],
        services: vec!["ec2".into(), "s3".into(), "sts".into()],
        known: vec![
            ("ec2:runinstances".into(), 1),
            ("s3:getobject".into(), 0),
            ("sts:assumerole".into(), 2),
        ],
        classes: vec![vec![0, 2], vec![0], vec![0, 3]],
    }
}

fn policies() -> Vec<Policy> {
    vec![
        Policy {
            name: "Identity ünïcode".into(),
            statements: statements(),
            services: vec![0, 1],
            any_service: true,
        },
        Policy {
            name: "Empty".into(),
            statements: Vec::new(),
            services: Vec::new(),
            any_service: false,
        },
        Policy {
            name: "admin trust policy".into(),
            statements: vec![trust_statement()],
            services: vec![2],
            any_service: false,
        },
    ]
}

/// Organization tables using every variant.
fn org_tables() -> Tables {
    Tables {
        actions: action_index(),
        policies: policies(),
        scope: Scope::Org(OrgTables {
            org_id: Some("o-abc123".into()),
            accounts: vec![
                Account {
                    id: "111122223333".into(),
                    in_org: true,
                    org_path: Some("o-abc123/r-ab12/ou-ab12-1/".into()),
                    scps: Some(vec![vec![0], vec![0, 1]]),
                    rcps: Some(Vec::new()),
                    scp_error: None,
                    rcp_error: None,
                },
                Account {
                    id: "444455556666".into(),
                    in_org: false,
                    org_path: None,
                    scps: None,
                    rcps: None,
                    scp_error: Some("unknown policy `Missing`".into()),
                    rcp_error: Some(String::new()),
                },
            ],
            principals: vec![
                PrincipalRecord {
                    kind: RecordKind::User,
                    arn: "arn:aws:iam::111122223333:user/alice".into(),
                    name: "alice".into(),
                    account: 0,
                    unique_id: "AIDAEXAMPLE".into(),
                    tags: vec![("team".into(), "web".into()), ("émoji".into(), "🎉".into())],
                    identity: vec![0],
                    boundaries: vec![1],
                    identity_raw: vec![0],
                    boundaries_raw: vec![1],
                    scps: Some(0),
                    trust: None,
                    error: None,
                },
                PrincipalRecord {
                    kind: RecordKind::Role,
                    arn: "arn:aws:iam::444455556666:role/admin".into(),
                    name: "admin".into(),
                    account: 1,
                    unique_id: "AROAEXAMPLE".into(),
                    tags: Vec::new(),
                    identity: vec![0, 1],
                    boundaries: Vec::new(),
                    identity_raw: vec![0, 1],
                    boundaries_raw: Vec::new(),
                    scps: None,
                    trust: Some(2),
                    error: Some("policy `X` is missing".into()),
                },
            ],
            resources: vec![
                ResourceRecord {
                    arn: "arn:aws:s3:::b".into(),
                    account: "111122223333".into(),
                    tags: vec![("k".into(), "v".into())],
                    policy: Some(0),
                },
                ResourceRecord {
                    arn: "arn:aws:s3:::c".into(),
                    account: "444455556666".into(),
                    tags: Vec::new(),
                    policy: None,
                },
            ],
            managed: vec![("arn:aws:iam::aws:policy/ReadOnly".into(), 1)],
            rcp_full_access: Some(1),
            scp_sets: vec![vec![vec![1], vec![0, 1]]],
        }),
        derived: Default::default(),
    }
    .check()
    .unwrap()
}

/// Fixed-set tables using every policy set.
fn fixed_tables() -> Tables {
    Tables {
        actions: action_index(),
        policies: policies(),
        scope: Scope::Fixed(PolicySets {
            identity: vec![0, 1],
            resource: Some(2),
            boundaries: vec![1],
            session: vec![0],
            scps: Some(vec![vec![0], Vec::new()]),
            rcps: None,
        }),
        derived: Default::default(),
    }
    .check()
    .unwrap()
}

fn request(principal: &str, action: &str, resource: &str) -> Request {
    let mut context = Context::new();
    context.set("aws:SecureTransport", ContextValue::Single("true".into()));
    context.set("aws:SourceIp", ContextValue::Single("10.1.2.3".into()));
    context.set(
        "aws:PrincipalTag/team",
        ContextValue::List(vec!["web".into()]),
    );
    Request {
        principal: Principal::parse(principal).unwrap(),
        action: action.into(),
        resource: resource.into(),
        resource_account: None,
        context,
        session: None,
        time: Some(1_700_000_000),
    }
}

fn requests() -> Vec<Request> {
    vec![
        request(
            "arn:aws:iam::111122223333:user/alice",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
        ),
        request(
            "arn:aws:iam::111122223333:user/alice",
            "iam:CreateUser",
            "*",
        ),
        request(
            "arn:aws:sts::444455556666:assumed-role/admin/s",
            "sts:AssumeRole",
            "arn:aws:iam::444455556666:role/admin",
        ),
        request(
            "arn:aws:iam::999999999999:user/stranger",
            "ec2:RunInstances",
            "arn:aws:s3:::c",
        ),
    ]
}

/// The sections of a valid file, in kind order.
fn sections_of(bytes: &[u8]) -> Vec<(SectionKind, Vec<u8>)> {
    let file = File::from_bytes(bytes).unwrap();
    file.sections().map(|(k, b)| (k, b.to_vec())).collect()
}

/// A valid container (all checksums right) holding `sections`.
fn build(sections: &[(SectionKind, Vec<u8>)]) -> Vec<u8> {
    let mut builder = FileBuilder::new();
    for (kind, bytes) in sections {
        builder.add_section(*kind, bytes.clone());
    }
    builder.finish().unwrap()
}

/// `bytes` with the section of `kind` replaced by `edit(section)`, checksums recomputed: only
/// the table decoder stands between the edit and the evaluator.
fn with_section(bytes: &[u8], kind: SectionKind, edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut sections = sections_of(bytes);
    let slot = sections.iter_mut().find(|(k, _)| *k == kind).unwrap();
    edit(&mut slot.1);
    build(&sections)
}

/// Loads `bytes` both ways (and decodes them on one thread and on two, which must agree),
/// catching panics; on success, asks the engine a few questions. Returns the load result.
fn load_never_panics(bytes: &[u8], label: &str) -> Result<(), LoadError> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let by_file = File::from_bytes(bytes).and_then(|f| decode(&f));
        let engine = Engine::from_bytes(bytes.to_vec());
        assert_eq!(by_file.is_ok(), engine.is_ok());
        let file = File::from_bytes(bytes);
        if let Ok(file) = &file {
            let one = format::decode_with(file, false);
            let two = format::decode_with(file, true);
            match (&one, &two) {
                (Ok(a), Ok(b)) => assert_same_tables(a, b, label),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{label}"),
                _ => panic!("{label}: one thread {one:?}, two threads {two:?}"),
            }
            assert_eq!(one.is_ok(), by_file.is_ok(), "{label}");
        }
        if let Ok(engine) = engine {
            for r in requests() {
                let _ = engine.authorize(&r);
                let _ = engine.authorize_explain(&r);
            }
        }
        by_file.map(|_| ())
    }));
    match outcome {
        Ok(result) => result,
        Err(_) => panic!("{label}: loading or deciding panicked"),
    }
}

/// Tables decoded on one thread and on two: equal in everything but plan numbering (the
/// principals' plans are built in two halves), and deciding alike.
fn assert_same_tables(one: &Tables, two: &Tables, label: &str) {
    assert_eq!(one.actions, two.actions, "{label}");
    assert_eq!(one.policies, two.policies, "{label}");
    assert_eq!(one.scope, two.scope, "{label}");
    assert_eq!(
        one.derived.policy_index, two.derived.policy_index,
        "{label}"
    );
    assert_eq!(
        one.derived.account_plans, two.derived.account_plans,
        "{label}"
    );
    let (e1, e2) = (
        Engine::from_tables(one.clone()),
        Engine::from_tables(two.clone()),
    );
    for r in requests() {
        assert_eq!(e1.authorize(&r), e2.authorize(&r), "{label}");
        assert_eq!(
            e1.authorize_explain(&r),
            e2.authorize_explain(&r),
            "{label}"
        );
    }
}

#[test]
fn one_and_two_decoding_threads_give_the_same_tables() {
    for t in [org_tables(), fixed_tables()] {
        let bytes = encode(&t);
        let file = File::from_bytes(&bytes[..]).unwrap();
        let one = format::decode_with(&file, false).unwrap();
        let two = format::decode_with(&file, true).unwrap();
        assert_eq!(one, t);
        assert_same_tables(&one, &two, "round trip");
        // The plans are built alike but for the principal halves: same number of statements
        // reachable, possibly a duplicated plan.
        assert!(two.derived.plans.len() >= one.derived.plans.len());
        assert!(two.derived.plans.len() <= one.derived.plans.len() + 4);
    }
}

#[test]
fn every_variant_round_trips() {
    for t in [
        org_tables(),
        fixed_tables(),
        Tables::default().check().unwrap(),
    ] {
        let bytes = encode(&t);
        assert_eq!(bytes, t.to_bytes());
        let file = File::from_bytes(&bytes[..]).unwrap();
        assert!(format::verify(&bytes).is_ok());
        let back = decode(&file).unwrap();
        assert_eq!(back, t);
        // Canonical: re-encoding the decoded tables gives the same bytes.
        assert_eq!(encode(&back), bytes);
        let meta = format::read_meta(&file).unwrap();
        assert!(meta.writer.starts_with("gavel-runtime "), "{meta:?}");
        assert_eq!(meta.counts.policies as usize, t.policies.len());
    }
}

/// The little-endian words of `bytes`.
fn words(bytes: &[u8]) -> Vec<u32> {
    assert_eq!(bytes.len() % 4, 0, "a table section is whole words");
    bytes
        .chunks_exact(4)
        .map(|w| u32::from_le_bytes(w.try_into().unwrap()))
        .collect()
}

/// One tiny policy set: one statement with an action id, a resource list and a clause list.
fn tiny_tables() -> Tables {
    Tables {
        actions: ActionIndex {
            patterns: vec![ActionPattern::Named {
                service: "s3".into(),
                name: Tok::glob("get*"),
            }],
            services: vec!["s3".into()],
            known: vec![("s3:getobject".into(), 0)],
            classes: vec![vec![0]],
        },
        policies: vec![Policy {
            name: "p".into(),
            statements: vec![Statement {
                index: 0,
                sid: Some("S".into()),
                effect: Effect::Allow,
                principal: None,
                actions: Actions {
                    negated: false,
                    patterns: ActionPatterns::Indexed(vec![0].into()),
                },
                resources: Some(Resources {
                    negated: false,
                    items: vec![ResourcePattern::Exact("arn:aws:s3:::b/k".into())].into(),
                }),
                conditions: vec![clause(
                    BaseOp::Bool,
                    None,
                    "aws:securetransport",
                    vec![Some(CondValue::Bool(true))],
                )]
                .into(),
            }],
            services: vec![0],
            any_service: false,
        }],
        scope: Scope::Fixed(PolicySets {
            identity: vec![0],
            ..PolicySets::default()
        }),
        derived: Default::default(),
    }
    .check()
    .unwrap()
}

/// One tiny policy set, every section asserted word by word (FORMAT.md, "Decision tables").
#[test]
fn tiny_tables_byte_by_byte() {
    const NONE: u32 = u32::MAX;
    let t = tiny_tables();
    let bytes = encode(&t);
    let file = File::from_bytes(&bytes[..]).unwrap();
    let section = |kind| file.section(kind).unwrap();

    // Strings are numbered in first use, sections written in this order: actions, conditions,
    // resources, statements, policies, principals, org-tree.
    let strings = section(SectionKind::Strings);
    let pool = "s3get*s3:getobjectaws:securetransportarn:aws:s3:::b/kSp";
    let mut expected = words_le(&[
        7,  // count
        2,  // end of 0 "s3"
        6,  // end of 1 "get*"
        18, // end of 2 "s3:getobject"
        37, // end of 3 "aws:securetransport"
        53, // end of 4 "arn:aws:s3:::b/k"
        54, // end of 5 "S"
        55, // end of 6 "p"
    ]);
    expected.extend(pool.as_bytes());
    assert_eq!(strings, &expected[..]);

    #[rustfmt::skip]
    assert_eq!(words(section(SectionKind::Actions)), [
        1, 0,       // services: 1, "s3"
        1,          // patterns: 1
        2, 0, 1, 0, //   Named, service "s3", glob text "get*", no literal wildcards
        1, 2, 0,    // known actions: 1, "s3:getobject" in class 0
        1, 1, 0,    // classes: 1, class 0 = [pattern 0]
        1, 1, 0,    // statement pattern lists: 1, list 0 = [pattern 0]
    ]);
    #[rustfmt::skip]
    assert_eq!(words(section(SectionKind::Conditions)), [
        1,          // clause lists: 1
        1,          //   clauses: 1
        18,         //     operator: Bool (code 18), no set prefix, no IfExists
        3,          //     key "aws:securetransport"
        1, 4, 1,    //     values: 1, bool true
    ]);
    #[rustfmt::skip]
    assert_eq!(words(section(SectionKind::Resources)), [
        1,          // lists: 1
        0, 1,       //   Resource (not NotResource), 1 entry
        1, 4,       //     Exact "arn:aws:s3:::b/k"
    ]);
    #[rustfmt::skip]
    assert_eq!(words(section(SectionKind::Statements)), [
        1,          // statements: 1
        0,          //   index 0 in its policy
        5,          //   Sid "S"
        1 << 6,     //   flags: Allow, Action, pattern ids, no Principal, has Resource
        0,          //   statement pattern list 0
        0,          //   resource list 0
        0,          //   clause list 0
    ]);
    #[rustfmt::skip]
    assert_eq!(words(section(SectionKind::Policies)), [
        1,          // policies: 1
        6, 0, 1,    //   name "p", not any-service, takes 1 statement
        1, 0,       //   services: [0]
    ]);
    assert_eq!(words(section(SectionKind::Principals)), [0]);
    #[rustfmt::skip]
    assert_eq!(words(section(SectionKind::OrgTree)), [
        0,          // a fixed policy set
        1, 0,       //   identity: [0]
        NONE,       //   no resource policy
        0, 0,       //   no boundaries, no session policies
        NONE, NONE, //   SCPs and RCPs do not apply
    ]);
    let writer = format!("gavel-runtime {}", env!("CARGO_PKG_VERSION"));
    let mut meta = words_le(&[writer.len() as u32]);
    meta.extend(writer.as_bytes());
    meta.resize(meta.len().next_multiple_of(4), 0);
    // strings, patterns, policies, statements, clause lists, resource lists, principals,
    // accounts
    meta.extend(words_le(&[7, 1, 1, 1, 1, 1, 0, 0]));
    assert_eq!(section(SectionKind::Meta), &meta[..]);

    assert_eq!(decode(&file).unwrap(), t);
}

fn words_le(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

#[test]
fn statements_name_their_lists_by_position_and_every_list_is_named() {
    let good = encode(&tiny_tables());
    let load = |bytes: Vec<u8>| Engine::from_bytes(bytes).unwrap_err();
    // Section `statements` of the tiny tables: count, index, Sid, flags, pattern list 0,
    // resource list 0, clause list 0 (see `tiny_tables_byte_by_byte`).
    let set_word = |at: usize, value: u32| {
        with_section(&good, SectionKind::Statements, |s| {
            s[4 * at..4 * at + 4].copy_from_slice(&value.to_le_bytes())
        })
    };
    for (at, what) in [
        (4, "pattern list"),
        (5, "resource list"),
        (6, "clause list"),
    ] {
        let err = load(set_word(at, 1));
        assert!(err.is_bad_reference(), "{err}");
        assert_eq!(err.section(), Some(SectionKind::Statements));
        assert!(err.to_string().contains(what), "{err}");
    }
    // No condition: the one clause list is then named by nobody.
    let err = load(set_word(6, u32::MAX));
    assert!(err.is_unused_entries(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Conditions));
    // No resource list (flag bit 6 cleared, the id word removed): likewise.
    let bytes = with_section(&good, SectionKind::Statements, |s| {
        s[12..16].copy_from_slice(&0u32.to_le_bytes());
        s.drain(20..24);
    });
    let err = load(bytes);
    assert!(err.is_unused_entries(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Resources));
    // Inline patterns (flag bit 2: one `*`) instead of the pattern list: likewise.
    let bytes = with_section(&good, SectionKind::Statements, |s| {
        s[12..16].copy_from_slice(&(1u32 << 6 | 1 << 2).to_le_bytes());
        s.splice(16..20, [1u32, 0].iter().flat_map(|w| w.to_le_bytes()));
    });
    let err = load(bytes);
    assert!(err.is_unused_entries(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Actions));
    // An empty clause list is a second encoding of "no condition": refused.
    let bytes = with_section(&good, SectionKind::Conditions, |s| {
        // One list of no clauses (and words enough for the count check to pass).
        *s = [1u32, 0, 0, 0, 0]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
    });
    let err = load(bytes);
    assert!(err.is_invalid_value(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Conditions));
    // The unchanged file loads.
    assert!(Engine::from_bytes(good).is_ok());
}

#[test]
fn encoding_is_deterministic() {
    let a = encode(&org_tables());
    let b = encode(&org_tables());
    assert_eq!(a, b);
    // The derived lookup maps are not stored: unchecked tables (no maps) encode the same.
    let mut bare = org_tables();
    bare.derived = Default::default();
    assert_eq!(encode(&bare), a);
}

#[test]
fn equal_entries_decode_once_and_are_shared() {
    // Every statement of the first policy twice more, under new positions: the copies must
    // decode to the same shared Sid, action ids, resource list and clause list, and the
    // tables must still equal what was encoded.
    let mut t = org_tables();
    let first = t.policies[0].statements.clone();
    for (i, st) in first.iter().enumerate() {
        for copy in 1..=2u32 {
            let mut st = st.clone();
            st.index = 100 * copy + i as u32;
            t.policies[0].statements.push(st);
        }
    }
    let decoded = decode(&File::from_bytes(&encode(&t)[..]).unwrap()).unwrap();
    assert_eq!(decoded.policies, t.policies);
    let sts = &decoded.policies[0].statements;
    let n = first.len();
    for i in 0..n {
        let (a, b, c) = (&sts[i], &sts[n + 2 * i], &sts[n + 2 * i + 1]);
        for other in [b, c] {
            assert!(
                Arc::ptr_eq(&a.conditions, &other.conditions),
                "statement {i}"
            );
            if let (Some(x), Some(y)) = (&a.resources, &other.resources) {
                assert!(Arc::ptr_eq(&x.items, &y.items), "statement {i}");
            }
            if let (Some(x), Some(y)) = (&a.sid, &other.sid) {
                assert!(Arc::ptr_eq(x, y), "statement {i}");
            }
            if let (ActionPatterns::Indexed(x), ActionPatterns::Indexed(y)) =
                (&a.actions.patterns, &other.actions.patterns)
            {
                assert!(Arc::ptr_eq(x, y), "statement {i}");
            }
        }
    }
    // Different lists stay apart.
    if let (Some(x), Some(y)) = (&sts[0].resources, &sts[1].resources)
        && x.items != y.items
    {
        assert!(!Arc::ptr_eq(&x.items, &y.items));
    }
}

#[test]
fn every_string_is_stored_once() {
    let bytes = encode(&org_tables());
    let file = File::from_bytes(&bytes[..]).unwrap();
    let pool = file.section(SectionKind::Strings).unwrap();
    let count = u32::from_le_bytes(pool[..4].try_into().unwrap()) as usize;
    let data = &pool[4 + 4 * count..];
    let text = std::str::from_utf8(data).unwrap();
    // "111122223333" is an account id, a resource's account and part of other strings; as a
    // whole string it is stored once, so it ends at exactly one string boundary.
    let ends: Vec<usize> = (0..count)
        .map(|i| u32::from_le_bytes(pool[4 + 4 * i..8 + 4 * i].try_into().unwrap()) as usize)
        .collect();
    let mut starts = vec![0];
    starts.extend(&ends[..count - 1]);
    let strings: Vec<&str> = starts
        .iter()
        .zip(&ends)
        .map(|(&s, &e)| &text[s..e])
        .collect();
    let mut sorted = strings.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), strings.len(), "a string is stored twice");
    assert_eq!(strings.iter().filter(|s| **s == "111122223333").count(), 1);
}

#[test]
fn engine_answers_from_memory_and_from_the_file_alike() {
    for t in [org_tables(), fixed_tables()] {
        let bytes = encode(&t);
        let from_file = Engine::from_bytes(bytes.clone()).unwrap();
        let from_static = Engine::from_static(Box::leak(bytes.into_boxed_slice())).unwrap();
        let in_memory = Engine::from_tables(t.clone());
        assert!(in_memory.snapshot().file().is_none());
        assert_eq!(in_memory.snapshot().checksum(), None);
        assert_eq!(from_file.snapshot().tables(), &t);
        for r in requests() {
            let want = gavel_runtime::eval::authorize_explain(&t, &r);
            assert_eq!(in_memory.authorize_explain(&r), want);
            assert_eq!(from_file.authorize_explain(&r), want);
            assert_eq!(from_static.authorize_explain(&r), want);
            assert_eq!(from_file.authorize(&r), want.decision);
            assert_eq!(from_file.snapshot().authorize(&r), want.decision);
        }
    }
}

#[test]
fn a_container_without_tables_is_refused_naming_the_missing_section() {
    let bytes = FileBuilder::new()
        .section(SectionKind::Meta, b"no tables here".to_vec())
        .finish()
        .unwrap();
    // The container is fine...
    assert!(format::verify(&bytes).is_ok());
    let file = File::from_bytes(&bytes[..]).unwrap();
    // ...but it holds no tables.
    let err = decode(&file).unwrap_err();
    assert!(err.is_missing_section(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Strings));
    assert!(err.to_string().contains("no `strings` section"), "{err}");
    let err = Engine::from_bytes(bytes).unwrap_err();
    assert!(err.is_missing_section(), "{err}");

    // Each section is required.
    let full = encode(&org_tables());
    for kind in SectionKind::ALL {
        let mut sections = sections_of(&full);
        sections.retain(|(k, _)| *k != kind);
        let err = Engine::from_bytes(build(&sections)).unwrap_err();
        assert!(err.is_missing_section(), "{kind}: {err}");
        assert_eq!(err.section(), Some(kind));
    }
}

#[test]
fn errors_name_the_section_and_the_problem() {
    let full = encode(&org_tables());
    let first_word =
        |kind, v: u32| with_section(&full, kind, |s| s[..4].copy_from_slice(&v.to_le_bytes()));
    let load = |bytes: Vec<u8>| Engine::from_bytes(bytes).unwrap_err();

    // A huge count is refused before anything is allocated for it.
    for kind in [
        SectionKind::Strings,
        SectionKind::Principals,
        SectionKind::Actions,
        SectionKind::Resources,
        SectionKind::Conditions,
        SectionKind::Statements,
        SectionKind::Policies,
    ] {
        let err = load(first_word(kind, u32::MAX - 1));
        assert!(err.is_count_too_large(), "{kind}: {err}");
        assert_eq!(err.section(), Some(kind), "{err}");
        assert!(err.to_string().contains(kind.name()), "{err}");
    }
    let err = load(first_word(SectionKind::Meta, 0x7FFF_FFFF));
    assert!(err.is_count_too_large(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Meta));

    // An unknown tag.
    let err = load(first_word(SectionKind::OrgTree, 2));
    assert!(err.is_invalid_value(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::OrgTree));
    assert!(err.to_string().contains("scope must be 0"), "{err}");

    // Invalid UTF-8 in the pool.
    let bytes = with_section(&full, SectionKind::Strings, |s| {
        let last = s.len() - 1;
        s[last] = 0xFF;
    });
    let err = load(bytes);
    assert!(err.is_invalid_utf8(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Strings));

    // A string id past the pool.
    let bytes = with_section(&full, SectionKind::Actions, |s| {
        // services: count, then the first service's string id.
        s[4..8].copy_from_slice(&9999u32.to_le_bytes());
    });
    let err = load(bytes);
    assert!(err.is_bad_reference(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Actions));
    assert!(err.to_string().contains("9999"), "{err}");

    // Bytes after the last entry.
    let bytes = with_section(&full, SectionKind::Policies, |s| s.extend([0; 4]));
    let err = load(bytes);
    assert!(err.is_trailing_bytes(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Policies));

    // A meta count that disagrees.
    let bytes = with_section(&full, SectionKind::Meta, |s| {
        let at = s.len() - 4;
        s[at..].copy_from_slice(&77u32.to_le_bytes());
    });
    let err = load(bytes);
    assert!(err.is_count_mismatch(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Meta));
    assert!(err.to_string().contains("accounts"), "{err}");

    // Clauses that no statement uses (one more clause counted than statements take).
    let mut extra = org_tables();
    if let Some(st) = extra.policies[0].statements.get_mut(1) {
        let mut list = st.conditions.to_vec();
        list.push(clause(BaseOp::Bool, None, "k", Vec::new()));
        st.conditions = list.into();
    }
    let with_extra = encode(&extra);
    let clauses = File::from_bytes(&with_extra[..])
        .unwrap()
        .section(SectionKind::Conditions)
        .unwrap()
        .to_vec();
    let bytes = with_section(&full, SectionKind::Conditions, |s| *s = clauses);
    let err = load(bytes);
    assert!(err.is_unused_entries(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Conditions));
}

#[test]
fn policies_and_statements_must_agree_on_the_statement_count() {
    let full = encode(&org_tables());
    // The same tables with one more statement in the first policy: its `policies` section
    // claims one statement more, its `statements` section holds one more.
    let mut more = org_tables();
    let extra = more.policies[0].statements[0].clone();
    more.policies[0].statements.push(extra);
    let longer = encode(&more);
    let section = |kind| {
        File::from_bytes(&longer[..])
            .unwrap()
            .section(kind)
            .unwrap()
            .to_vec()
    };
    let load = |bytes: Vec<u8>| Engine::from_bytes(bytes).unwrap_err();

    let claims_more = with_section(&full, SectionKind::Policies, |s| {
        *s = section(SectionKind::Policies)
    });
    let err = load(claims_more);
    assert!(err.is_bad_reference(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Policies));
    assert!(err.to_string().contains("statement count"), "{err}");

    let holds_more = with_section(&full, SectionKind::Statements, |s| {
        *s = section(SectionKind::Statements)
    });
    let err = load(holds_more);
    assert!(err.is_unused_entries(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Statements));
}

#[test]
fn inconsistent_tables_are_refused_with_the_reason() {
    let mut t = org_tables();
    if let Scope::Org(org) = &mut t.scope {
        org.principals[1].account = 7;
    }
    let err = Engine::from_bytes(encode(&t)).unwrap_err();
    assert!(err.is_inconsistent(), "{err}");
    assert!(
        err.reason()
            .unwrap()
            .contains("arn:aws:iam::444455556666:role/admin"),
        "{err}"
    );

    let mut t = org_tables();
    t.policies[0].services.push(40);
    let err = Engine::from_bytes(encode(&t)).unwrap_err();
    assert!(err.is_inconsistent(), "{err}");

    // Principal records name their account by index, and requests name it by id: two
    // accounts with one id would make the two disagree.
    let mut t = org_tables();
    if let Scope::Org(org) = &mut t.scope {
        assert!(org.accounts.len() >= 2);
        org.accounts[1].id = org.accounts[0].id.clone();
    }
    let err = Engine::from_bytes(encode(&t)).unwrap_err();
    assert!(err.is_inconsistent(), "{err}");
    assert!(err.reason().unwrap().contains("listed twice"), "{err}");

    // A fixed set has no principal records.
    let mut sections = sections_of(&encode(&fixed_tables()));
    let principals = sections_of(&encode(&org_tables()))
        .into_iter()
        .find(|(k, _)| *k == SectionKind::Principals)
        .unwrap();
    sections.retain(|(k, _)| *k != SectionKind::Principals);
    sections.push(principals);
    let err = Engine::from_bytes(build(&sections)).unwrap_err();
    assert_eq!(err.section(), Some(SectionKind::Principals), "{err}");
}

/// A principal's specialized SCP set replaces its account's levels one for one: a file whose
/// set is missing, has fewer levels than the account (one ceiling skipped), belongs to an
/// account without SCPs, or is named by nobody is refused.
#[test]
fn specialized_scp_sets_must_match_their_accounts_levels() {
    type Edit = fn(&mut OrgTables);
    let cases: [(&str, Edit, &str); 5] = [
        (
            "missing set",
            |o| o.principals[0].scps = Some(1),
            "SCP set 1",
        ),
        ("fewer levels", |o| o.scp_sets[0].truncate(1), "SCP set 0"),
        (
            "no account SCPs",
            |o| o.principals[1].scps = Some(0),
            "role/admin",
        ),
        (
            "unused set",
            |o| o.scp_sets.push(vec![vec![0], vec![0]]),
            "named by no principal",
        ),
        (
            "missing policy",
            |o| o.scp_sets[0][1].push(9),
            "missing policy",
        ),
    ];
    for (label, edit, reason) in cases {
        let mut t = org_tables();
        let Scope::Org(org) = &mut t.scope else {
            unreachable!()
        };
        edit(org);
        let err = Engine::from_bytes(encode(&t)).unwrap_err();
        assert!(err.is_inconsistent(), "{label}: {err}");
        assert!(err.reason().unwrap().contains(reason), "{label}: {err}");
    }
    // As written, the sets and the records naming them read back exactly.
    let t = org_tables();
    let back = Engine::from_bytes(encode(&t)).unwrap();
    let snapshot = back.snapshot();
    let Scope::Org(org) = &snapshot.tables().scope else {
        unreachable!()
    };
    assert_eq!(org.scp_sets, vec![vec![vec![1], vec![0, 1]]]);
    assert_eq!(org.principals[0].scps, Some(0));
}

#[test]
fn one_long_string_named_very_often_is_refused() {
    // One statement whose only resource is a 256 KiB string...
    let long = "a".repeat(256 << 10);
    let t = Tables {
        policies: vec![Policy {
            name: "p".into(),
            statements: vec![Statement {
                index: 0,
                sid: None,
                effect: Effect::Allow,
                principal: None,
                actions: Actions {
                    negated: false,
                    patterns: ActionPatterns::Direct(vec![ActionPattern::Any]),
                },
                resources: Some(Resources {
                    negated: false,
                    items: vec![ResourcePattern::Exact(long.clone())].into(),
                }),
                conditions: Vec::new().into(),
            }],
            services: Vec::new(),
            any_service: true,
        }],
        ..Tables::default()
    };
    let good = encode(&t);
    assert_eq!(
        decode(&File::from_bytes(&good[..]).unwrap())
            .unwrap()
            .policies,
        t.policies
    );
    // Section `resources`: count 1, then the list: negated 0, item count 1, (tag 1, string id).
    let item = with_section(&good, SectionKind::Resources, |_| {});
    let item = sections_of(&item)
        .into_iter()
        .find(|(k, _)| *k == SectionKind::Resources)
        .unwrap()
        .1[12..20]
        .to_vec();
    // ...then that list 20,000 times: every stored list is decoded (the writer stores each
    // distinct list once, so a file repeating one is crafted), and the text budget stops the
    // decoding long before the 5 GiB it would materialize.
    let bytes = with_section(&good, SectionKind::Resources, |s| {
        s.truncate(4);
        s[..4].copy_from_slice(&20_000u32.to_le_bytes());
        for _ in 0..20_000 {
            s.extend(0u32.to_le_bytes());
            s.extend(1u32.to_le_bytes());
            s.extend(&item);
        }
    });
    let err = Engine::from_bytes(bytes).unwrap_err();
    assert!(err.is_decoded_too_large(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Resources));
    // ...and 200 different lists naming it 1, 2, ..., 200 times: each use is an 8-byte entry,
    // so the file stays under 0.5 MiB while the tables would hold 5 GiB of text.
    let bytes = with_section(&good, SectionKind::Resources, |s| {
        s.truncate(4);
        s[..4].copy_from_slice(&200u32.to_le_bytes());
        for n in 1..=200u32 {
            s.extend(0u32.to_le_bytes());
            s.extend(n.to_le_bytes());
            for _ in 0..n {
                s.extend(&item);
            }
        }
    });
    assert!(bytes.len() < 512 << 10, "{}", bytes.len());
    let err = Engine::from_bytes(bytes).unwrap_err();
    assert!(err.is_decoded_too_large(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Resources));
}

#[test]
fn a_flipped_byte_is_a_checksum_error_naming_its_section() {
    let full = encode(&org_tables());
    let file = File::from_bytes(&full[..]).unwrap();
    for (kind, _) in file.sections() {
        let range = format_support::section_range(&full, kind);
        for at in range.clone().step_by(3) {
            let mut bytes = full.clone();
            bytes[at] ^= 0x10;
            let err = Engine::from_bytes(bytes).unwrap_err();
            assert!(err.is_checksum_mismatch(), "{kind} byte {at}: {err}");
            assert_eq!(err.section(), Some(kind));
        }
    }
}

#[test]
fn corrupt_sections_behind_good_checksums_never_panic() {
    let mut loaded = 0;
    let mut refused = 0;
    for t in [org_tables(), fixed_tables()] {
        let full = encode(&t);
        for (kind, section) in sections_of(&full) {
            let words = section.len() / 4;
            for w in 0..words {
                for v in [
                    0u32,
                    1,
                    2,
                    3,
                    7,
                    0x100,
                    (words as u32).wrapping_sub(w as u32),
                    0x8000_0000,
                    u32::MAX - 1,
                    u32::MAX,
                ] {
                    let bytes = with_section(&full, kind, |s| {
                        s[4 * w..4 * w + 4].copy_from_slice(&v.to_le_bytes());
                    });
                    match load_never_panics(&bytes, &format!("{kind} word {w} = {v:#x}")) {
                        Ok(()) => loaded += 1,
                        Err(_) => refused += 1,
                    }
                }
            }
            for at in 0..section.len() {
                for x in [0x01u8, 0x80, 0xFF] {
                    let bytes = with_section(&full, kind, |s| s[at] ^= x);
                    match load_never_panics(&bytes, &format!("{kind} byte {at} ^ {x:#x}")) {
                        Ok(()) => loaded += 1,
                        Err(_) => refused += 1,
                    }
                }
            }
        }
    }
    eprintln!("{refused} edits refused, {loaded} loaded (and were decided without a panic)");
    // Most edits are caught; some (a changed Sid, a flipped flag bit) make other valid tables.
    assert!(refused > loaded, "{refused} refused, {loaded} loaded");
    assert!(loaded > 0);
}

#[test]
fn truncated_sections_and_files_are_refused() {
    for t in [org_tables(), fixed_tables()] {
        let full = encode(&t);
        for (kind, section) in sections_of(&full) {
            for len in 0..section.len() {
                let bytes = with_section(&full, kind, |s| s.truncate(len));
                let err = load_never_panics(&bytes, &format!("{kind} cut at {len}"));
                assert!(err.is_err(), "{kind} cut at {len} still loads");
            }
        }
        for len in 0..full.len() {
            let err = Engine::from_bytes(full[..len].to_vec()).unwrap_err();
            assert!(err.is_too_short() || err.is_length_mismatch(), "{err}");
        }
    }
}

#[test]
fn wrong_versions_are_refused() {
    let full = encode(&org_tables());
    for v in [0u32, 2, 7, u32::MAX] {
        let mut bytes = full.clone();
        format_support::set_u32(&mut bytes, format_support::VERSION_AT, v);
        format_support::reseal(&mut bytes);
        let err = Engine::from_bytes(bytes).unwrap_err();
        assert!(err.is_unsupported_version(), "{err}");
    }
}

#[test]
fn random_damage_behind_good_checksums_never_panics() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x0067_6176_656c);
    let files = [encode(&org_tables()), encode(&fixed_tables())];
    for round in 0..3000 {
        let full = &files[round % files.len()];
        let mut sections = sections_of(full);
        // One to four edits, anywhere in the tables.
        for _ in 0..rng.random_range(1..=4) {
            let i = rng.random_range(0..sections.len());
            let s = &mut sections[i].1;
            match rng.random_range(0..5) {
                0 if !s.is_empty() => {
                    let at = rng.random_range(0..s.len());
                    s[at] ^= 1 << rng.random_range(0..8);
                }
                1 if s.len() >= 4 => {
                    let w = rng.random_range(0..s.len() / 4);
                    let v: u32 = match rng.random_range(0..4) {
                        0 => rng.random(),
                        1 => rng.random_range(0..16),
                        2 => u32::MAX - rng.random_range(0..4),
                        _ => (s.len() / 4) as u32,
                    };
                    s[4 * w..4 * w + 4].copy_from_slice(&v.to_le_bytes());
                }
                2 => {
                    let len = rng.random_range(0..=s.len());
                    s.truncate(len);
                }
                3 => {
                    let n = rng.random_range(1..12);
                    s.extend((0..n).map(|_| rng.random::<u8>()));
                }
                _ => {
                    // Swap two words: ids and counts in each other's place.
                    if s.len() >= 8 {
                        let a = 4 * rng.random_range(0..s.len() / 4);
                        let b = 4 * rng.random_range(0..s.len() / 4);
                        for k in 0..4 {
                            s.swap(a + k, b + k);
                        }
                    }
                }
            }
        }
        let _ = load_never_panics(&build(&sections), &format!("round {round}"));
    }
}

/// What the policy index reads is checked where the index is built (on both threads, once per
/// distinct list): each policy's service ids, and each action-id list, sorted and naming
/// patterns only. A policy in either layout half, decoded on one thread or two.
#[test]
fn action_lists_and_service_ids_are_checked_where_indexed() {
    use gavel_runtime::tables::Derived;
    let with = |at: usize, ids: Vec<u32>, services: Option<Vec<u32>>| {
        let mut t = org_tables();
        t.derived = Derived::default();
        let p = &mut t.policies[at];
        if let Some(services) = services {
            p.services = services;
        }
        p.statements[0].actions.patterns = ActionPatterns::Indexed(ids.into());
        t
    };
    for parallel in [false, true] {
        // Policy 0 is laid out in the first part, policy 2 in the second.
        for at in [0, 2] {
            let fine = with(at, vec![0, 2], None).check_with(parallel);
            assert!(fine.is_ok(), "{fine:?}");
            for (ids, services, says) in [
                (vec![2, 0], None, "lists its action patterns out of order"),
                (vec![0, 9], None, "names a missing action pattern"),
                (vec![0, 2], Some(vec![1, 7]), "names a missing service"),
            ] {
                let err = with(at, ids, services).check_with(parallel).unwrap_err();
                assert!(
                    err.to_string().contains(&format!("policy {at} {says}")),
                    "parallel {parallel}, policy {at}: {err}"
                );
            }
        }
    }
}
