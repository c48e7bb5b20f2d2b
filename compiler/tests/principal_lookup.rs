//! Principals are found by ARN through a compact block per record (`HotPrincipal`: the ARN's
//! first 99 bytes inline, the record read for longer ones), else by name. ARNs shorter and
//! longer than the inline part, exact and off by one byte before and after it, users and role
//! sessions: the compiled tables, the decision file and the reference interpreter decide alike.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

use gavel_compiler::agreement::{decide_org_compiled, decide_org_engine, same_answer};
use gavel_compiler::conformance::parse_org_case;
use gavel_compiler::lower::{CompileOptions, compile_org};
use gavel_compiler::org::load::LoadOptions;
use gavel_compiler::reference::{Options, decide_org};
use gavel_compiler::text::parse_org_text;
use gavel_runtime::Engine;
use gavel_runtime::tables::HOT_ARN;
use std::path::Path;

/// An organization compiled to tables and to a decision file loaded back.
struct Compiled {
    org: gavel_compiler::org::Organization,
    tables: gavel_runtime::tables::Tables,
    engine: Engine,
}

impl Compiled {
    /// `work` (lines of account 222222222222) and `extra` (after the tree) in a two-account
    /// organization whose accounts carry `FullAWSAccess`.
    fn new(file: &str, work: &str, extra: &str) -> Compiled {
        let text = format!(
            "organization \"o-lookup0001\" {{\n  management 111111111111\n  root Root id \"r-look\" {{\n    attach scp FullAWSAccess\n    account 111111111111 \"management\" {{ attach scp FullAWSAccess }}\n    account 222222222222 \"work\" {{\n      attach scp FullAWSAccess\n{work}    }}\n  }}\n{extra}}}\n"
        );
        let org = parse_org_text(&text, file, Path::new("."), &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{e:?}\n{text}"))
            .value;
        let tables = compile_org(&org, &CompileOptions::default()).unwrap();
        let engine = Engine::from_bytes(tables.to_bytes()).unwrap();
        Compiled {
            org,
            tables,
            engine,
        }
    }

    /// The decision for the org case `line`, the same on the reference, the tables and the
    /// file (asserted).
    fn decide(&self, line: &str) -> gavel_runtime::Decision {
        let case = parse_org_case(line).unwrap_or_else(|e| panic!("{line}: {}", e.message));
        let want = decide_org(&self.org, &case.request, &Options::default());
        let got = decide_org_compiled(&self.tables, &case.request);
        let from_file = decide_org_engine(&self.engine, &case.request);
        assert!(
            same_answer(&want, &got) && same_answer(&want, &from_file),
            "{line}:\n  reference {want:?}\n  compiled  {got:?}\n  file      {from_file:?}"
        );
        want.decision
    }
}

/// A path that makes `arn:aws:iam::222222222222:user{path}{name}` exactly `len` bytes long.
fn path_for(kind: &str, name: &str, len: usize) -> String {
    let fixed = "arn:aws:iam::222222222222:".len() + kind.len() + 2 + name.len();
    let inner = len - fixed;
    format!("/{}/", "p".repeat(inner))
}

#[test]
fn principals_are_found_alike_whatever_the_length_of_their_arn() {
    let lens = [40, HOT_ARN - 1, HOT_ARN, HOT_ARN + 1, 180];
    let mut users = String::new();
    let mut roles = String::new();
    let mut arns = Vec::new();
    for (i, len) in lens.iter().enumerate() {
        let user = format!("u{i}");
        let up = path_for("user", &user, *len);
        users.push_str(&format!(
            "      user {user} path \"{up}\" {{ inline Read {{ allow s3:GetObject on * }} }}\n"
        ));
        arns.push(format!("arn:aws:iam::222222222222:user{up}{user}"));
        let role = format!("r{i}");
        let rp = path_for("role", &role, *len);
        roles.push_str(&format!(
            "      role {role} path \"{rp}\" {{ trust allow sts:AssumeRole for aws \"222222222222\"  inline Read {{ allow s3:GetObject on * }} }}\n"
        ));
        arns.push(format!("arn:aws:iam::222222222222:role{rp}{role}"));
    }
    for a in &arns {
        assert!(lens.contains(&a.len()), "{a}");
    }
    // The bucket's policy grants `s3:PutObject` to each user by exact ARN: a request found by
    // a near-miss ARN must act as the record's ARN (the name lookup's canonical one).
    let user_arns: Vec<String> = arns
        .iter()
        .filter(|a| a.contains(":user/"))
        .map(|a| format!("aws \"{a}\""))
        .collect();
    let bucket = format!(
        "      resource \"arn:aws:s3:::b\" {{ policy {{ allow s3:PutObject on \"arn:aws:s3:::b/*\" for {} }} }}\n",
        user_arns.join(", ")
    );
    let org = Compiled::new("lookup.gavel", &format!("{users}{roles}{bucket}"), "");

    // Each ARN as it is, with one byte changed just before, at and after the inline part and
    // at its end, and (users) without the path, which the name lookup finds.
    let mut principals = Vec::new();
    for arn in &arns {
        principals.push(arn.clone());
        for at in [HOT_ARN - 1, HOT_ARN, HOT_ARN + 1, arn.len() - 1] {
            if at < arn.len() && arn.as_bytes()[at] == b'p' {
                let mut b = arn.clone().into_bytes();
                b[at] = b'q';
                principals.push(String::from_utf8(b).unwrap());
            }
        }
        if let Some((head, rest)) = arn.split_once(":user/") {
            let name = rest.rsplit('/').next().unwrap();
            principals.push(format!("{head}:user/{name}"));
        }
    }
    let mut decided = std::collections::BTreeMap::new();
    for principal in principals {
        let caller = match principal.split_once(":role") {
            Some((_, rest)) => {
                let name = rest.rsplit('/').next().unwrap();
                format!("arn:aws:sts::222222222222:assumed-role/{name}/s")
            }
            None => principal.clone(),
        };
        let session = if caller.contains("assumed-role") {
            format!(
                r#", "session": {{"kind": "role", "arn": "{caller}", "roleArn": "{principal}", "sessionName": "s", "issuedAt": 1767225600, "expiresAt": 1798761600}}"#
            )
        } else {
            String::new()
        };
        for action in ["s3:GetObject", "s3:PutObject"] {
            let line = format!(
                r#"{{"id": "x", "request": {{"principal": "{caller}", "action": "{action}", "resource": "arn:aws:s3:::b/k", "resourceAccount": "222222222222"{session}}}, "expect": "Allow"}}"#
            );
            let decision = org.decide(&line);
            *decided.entry(format!("{action} {decision:?}")).or_insert(0) += 1;
        }
    }
    // Found principals (allowed by their own policy; users also by the bucket's, roles not),
    // unknown ones (denied with a reason).
    for want in [
        "s3:GetObject Allow",
        "s3:GetObject ExplicitDeny",
        "s3:PutObject Allow",
        "s3:PutObject ImplicitDeny",
    ] {
        assert!(decided.contains_key(want), "{want}: {decided:?}");
    }
}

/// Role sessions that name their role only by name (no session, so no role ARN) take the role
/// ARN and its service-linked flag from the principal's block instead of parsing the ARN per
/// request (`HotPrincipal::iam_role`, `Caller::set_known_role`). A plain role, one with a
/// path, a service-linked one (exempt from SCPs) and one whose ARN is longer than the block
/// holds (parsed as before); a bucket that grants reads by role ARN and deletes to decoys of
/// the same name under another path (which only a caller without its role ARN would match by
/// name), and an SCP that denies `s3:PutObject`: reference, tables and file agree, and the
/// service-linked role alone writes past the SCP.
#[test]
fn role_sessions_found_by_name_keep_their_role_arn_and_service_link() {
    let long_path = path_for("role", "long", HOT_ARN + 20);
    let roles = [
        ("plain", "/".to_string()),
        ("pathed", "/team/app/".to_string()),
        (
            "AWSServiceRoleForECS",
            "/aws-service-role/ecs.amazonaws.com/".to_string(),
        ),
        ("long", long_path),
    ];
    let mut text_roles = String::new();
    let mut grants = Vec::new();
    let mut decoys = Vec::new();
    for (name, path) in &roles {
        text_roles.push_str(&format!(
            "      role {name} path \"{path}\" {{ trust allow sts:AssumeRole for aws \"222222222222\"  inline Write {{ allow s3:PutObject on * }} }}\n"
        ));
        grants.push(format!(
            "aws \"arn:aws:iam::222222222222:role{path}{name}\""
        ));
        decoys.push(format!(
            "aws \"arn:aws:iam::222222222222:role/decoy/{name}\""
        ));
    }
    let work = format!(
        "      attach scp NoWrites\n{text_roles}      resource \"arn:aws:s3:::b\" {{ policy {{ allow s3:GetObject on \"arn:aws:s3:::b/*\" for {}  allow s3:DeleteObject on \"arn:aws:s3:::b/*\" for {} }} }}\n",
        grants.join(", "),
        decoys.join(", ")
    );
    let org = Compiled::new(
        "roles.gavel",
        &work,
        "  scp NoWrites { deny s3:PutObject on * }\n",
    );
    let mut decided = std::collections::BTreeMap::new();
    for (name, _) in &roles {
        for action in ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] {
            let line = format!(
                r#"{{"id": "x", "request": {{"principal": "arn:aws:sts::222222222222:assumed-role/{name}/s", "action": "{action}", "resource": "arn:aws:s3:::b/k", "resourceAccount": "222222222222"}}, "expect": "Allow"}}"#
            );
            let decision = org.decide(&line);
            decided.insert(format!("{name} {action}"), format!("{decision:?}"));
        }
    }
    let expect = |k: &str| decided.get(k).map(String::as_str);
    for (name, _) in &roles {
        // Granted by the bucket through the role ARN (no identity grant for reads).
        assert_eq!(
            expect(&format!("{name} s3:GetObject")),
            Some("Allow"),
            "{decided:?}"
        );
        // The decoy's name matches, its path does not: the known role ARN decides.
        assert_eq!(
            expect(&format!("{name} s3:DeleteObject")),
            Some("ImplicitDeny"),
            "{decided:?}"
        );
    }
    assert_eq!(
        expect("AWSServiceRoleForECS s3:PutObject"),
        Some("Allow"),
        "{decided:?}"
    );
    for name in ["plain", "pathed", "long"] {
        assert_eq!(
            expect(&format!("{name} s3:PutObject")),
            Some("ExplicitDeny"),
            "{decided:?}"
        );
    }
}
