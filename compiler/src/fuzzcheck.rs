//! The properties the fuzz targets check (`fuzz/`), shared with the crash replay that
//! `cargo test` runs (`compiler/tests/fuzz_regressions.rs`), so a saved crash is checked exactly
//! as the fuzzer checked it.
//!
//! Every function takes what the fuzzer produced and returns `Err(description)` when a property
//! fails; a panic is a failure too (libFuzzer reports it, the replay test fails on it). The
//! description holds what is needed to understand the failure without a debugger.
//!
//! | target | function | property |
//! | --- | --- | --- |
//! | `parse_json` | [`parse_json`] | any bytes as a policy of every type and mode, an account dump, a managed-policy file, a manifest: `Ok` or located errors; what parses round-trips through JSON and text |
//! | `parse_text` | [`parse_text`] | any bytes through the text front end: text -> model -> JSON -> model and model -> text -> model are lossless |
//! | `load_file` | [`load_file`] | any bytes as a decision file, raw and inside a valid container: a typed `LoadError` or a usable engine; `File`, `verify` and `Engine` agree |
//! | `wildcard` | [`wildcard`] | `glob_match`, `resource_matches`, `arn_like` agree with a regex built from the same pattern |
//! | `differential` | [`differential`] | the reference's answers survive a JSON and a text round trip of every policy; later: the compiled engine agrees |

use crate::agreement::same_answer;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::json::{ParseMode, parse_policy_with, policy_to_json};
use crate::model::{Loc, Policy, PolicyType};
use crate::org::load::{
    LoadError, LoadOptions, PolicyCatalog, load_authorization_details, load_manifest_text,
};
use crate::org::{OrgRequest, Organization};
use crate::reference::{Options, decide_org};
use crate::text::{parse_org_text, parse_policy_text_with, policy_to_text};
use gavel_runtime::format::{File, HEADER_LEN, SectionKind, decode_with, verify};
use gavel_runtime::glob::{Tok, arn_like, glob_match, resource_matches};
use gavel_runtime::{Engine, Explanation};
use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

/// Every policy type, in the order the checks try them.
pub const POLICY_TYPES: [PolicyType; 7] = [
    PolicyType::Identity,
    PolicyType::Resource,
    PolicyType::Trust,
    PolicyType::Boundary,
    PolicyType::Session,
    PolicyType::Scp,
    PolicyType::Rcp,
];

/// Both parse modes.
pub const MODES: [ParseMode; 2] = [ParseMode::Strict, ParseMode::Lenient];

/// The folder manifests and text organizations resolve their file references against: one
/// that does not exist, so a fuzz input reads no file through a relative path.
const NOWHERE: &str = "/nonexistent/gavel-fuzz";

/// The bytes as text: UTF-8 as is, anything else with replacement characters (the front ends
/// take `&str`; the replacement still exercises them).
fn text_of(data: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// The location a front end must report for byte `offset` of `text` (offsets inside a UTF-8
/// sequence move back to its start). Written independently of `LineIndex` to check it.
fn expected_loc(text: &str, offset: usize) -> Loc {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    let line = before.matches('\n').count() + 1;
    Loc {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        col: u32::try_from(col).unwrap_or(u32::MAX),
        offset: u32::try_from(offset).unwrap_or(u32::MAX),
    }
}

/// A diagnostic's location must be a real place in `text`, and consistent.
fn check_loc(d: &Diagnostic, text: &str, what: &str) -> Result<(), String> {
    let want = expected_loc(text, d.loc.offset as usize);
    if d.loc.offset as usize > text.len() || want != d.loc {
        return Err(format!(
            "{what}: diagnostic `{}` ({}) is at {:?}, but offset {} of the text is {want:?}",
            d.message, d.code, d.loc, d.loc.offset
        ));
    }
    Ok(())
}

/// A rejection must carry at least one error, and every diagnostic a valid location.
fn check_rejection(diags: &Diagnostics, text: &str, what: &str) -> Result<(), String> {
    if !diags.has_errors() {
        return Err(format!(
            "{what}: rejected without an error ({} diagnostics)",
            diags.len()
        ));
    }
    for d in diags.iter() {
        check_loc(d, text, what)?;
    }
    Ok(())
}

/// A loader's rejection: at least one error; locations in `file` must be real places in
/// `text` (problems in documents decoded from a string are located in the decoded text).
fn check_load_error(e: &LoadError, file: &str, text: &str, what: &str) -> Result<(), String> {
    if e.errors().next().is_none() {
        return Err(format!("{what}: rejected without an error"));
    }
    for p in e.problems() {
        if p.file != file {
            continue;
        }
        if let Some(loc) = p.loc {
            let want = expected_loc(text, loc.offset as usize);
            if want != loc {
                return Err(format!(
                    "{what}: problem `{}` at `{}` is at {loc:?}, but its offset is {want:?}",
                    p.message, p.path
                ));
            }
        }
        if !p.decoded {
            for d in &p.diagnostics {
                check_loc(d, text, what)?;
            }
        }
    }
    Ok(())
}

/// An accepted policy re-serializes and re-parses (same type, same mode) to an equal model, its
/// canonical JSON is a fixed point, and its text form reads back to the same model.
pub fn policy_round_trips(p: &Policy, ty: PolicyType, mode: ParseMode) -> Result<(), String> {
    let json = policy_to_json(p).to_string();
    let again = match parse_policy_with(&json, ty, mode) {
        Ok(parsed) => parsed.value,
        Err(d) => {
            return Err(format!(
                "the canonical JSON of an accepted {} ({mode:?}) is rejected:\n{}\njson: {json}",
                ty.describe(),
                d.render("canonical.json", &json)
            ));
        }
    };
    if again != *p {
        return Err(format!(
            "JSON round trip of {} ({mode:?}) changed the model\njson: {json}\nbefore: {p:?}\nafter: {again:?}",
            ty.describe()
        ));
    }
    let json2 = policy_to_json(&again).to_string();
    if json2 != json {
        return Err(format!(
            "canonical JSON is not a fixed point\nfirst: {json}\nsecond: {json2}"
        ));
    }
    let text = policy_to_text(p);
    match parse_policy_text_with(&text, ty, mode) {
        Ok(parsed) if parsed.value == *p => Ok(()),
        Ok(parsed) => Err(format!(
            "text round trip of {} ({mode:?}) changed the model\njson: {json}\ntext:\n{text}\nbefore: {p:?}\nafter: {:?}",
            ty.describe(),
            parsed.value
        )),
        Err(d) => Err(format!(
            "the text form of an accepted {} ({mode:?}) is rejected:\n{}\njson: {json}\ntext:\n{text}",
            ty.describe(),
            d.render("printed.gavel", &text)
        )),
    }
}

/// Every policy an organization holds, with the type it is read as.
fn org_policies(org: &Organization) -> Vec<(&Policy, PolicyType)> {
    let mut out = Vec::new();
    for a in org.accounts.values() {
        for u in a.users.values() {
            out.extend(u.inline.iter().map(|p| (&p.policy, PolicyType::Identity)));
        }
        for g in a.groups.values() {
            out.extend(g.inline.iter().map(|p| (&p.policy, PolicyType::Identity)));
        }
        for r in a.roles.values() {
            out.push((&r.trust, PolicyType::Trust));
            out.extend(r.inline.iter().map(|p| (&p.policy, PolicyType::Identity)));
        }
    }
    for m in org.managed_policies.values() {
        out.extend(m.versions.iter().map(|(_, p)| (p, PolicyType::Identity)));
    }
    out.extend(org.scps.values().map(|p| (&p.policy, PolicyType::Scp)));
    out.extend(org.rcps.values().map(|p| (&p.policy, PolicyType::Rcp)));
    for r in org.resources.values() {
        out.extend(r.policy.iter().map(|p| (p, PolicyType::Resource)));
    }
    out
}

/// Any bytes as a policy document of every type in both modes, as an account authorization
/// dump, as a managed-policy file and as an organization manifest: never a panic; a rejection
/// carries located errors; every accepted policy round-trips ([`policy_round_trips`]).
pub fn parse_json(data: &[u8]) -> Result<(), String> {
    let text = text_of(data);
    for ty in POLICY_TYPES {
        for mode in MODES {
            match parse_policy_with(&text, ty, mode) {
                Ok(parsed) => policy_round_trips(&parsed.value, ty, mode)?,
                Err(d) => check_rejection(&d, &text, "policy")?,
            }
        }
    }
    match load_authorization_details(&text, "fuzz.json", None) {
        Ok(dump) => {
            // Dumps are read leniently (AWS output); identity documents as identity policies.
            let a = &dump.account;
            let docs = a
                .users
                .values()
                .flat_map(|u| &u.inline)
                .chain(a.groups.values().flat_map(|g| &g.inline))
                .chain(a.roles.values().flat_map(|r| &r.inline))
                .map(|p| (&p.policy, PolicyType::Identity))
                .chain(a.roles.values().map(|r| (&r.trust, PolicyType::Trust)))
                .chain(
                    dump.policies
                        .values()
                        .flat_map(|m| &m.versions)
                        .map(|(_, p)| (p, PolicyType::Identity)),
                );
            for (p, ty) in docs {
                policy_round_trips(p, ty, ParseMode::Lenient)?;
            }
        }
        Err(e) => check_load_error(&e, "fuzz.json", &text, "account dump")?,
    }
    match PolicyCatalog::parse(&text, "fuzz.jsonl") {
        Ok(_) => {}
        Err(e) => check_load_error(&e, "fuzz.jsonl", &text, "managed-policy file")?,
    }
    let options = LoadOptions::default();
    match load_manifest_text(&text, "fuzz-manifest.json", Path::new(NOWHERE), &options) {
        Ok(loaded) => {
            for (p, ty) in org_policies(&loaded.value) {
                policy_round_trips(p, ty, options.mode)?;
            }
        }
        Err(e) => check_load_error(&e, "fuzz-manifest.json", &text, "manifest")?,
    }
    Ok(())
}

/// Any bytes through the text front end, as a policy of every type in both modes and as an
/// organization: never a panic; a rejected policy carries located errors; an accepted one is
/// read identically from its canonical JSON, and from its printed text
/// ([`policy_round_trips`]).
pub fn parse_text(data: &[u8]) -> Result<(), String> {
    let text = text_of(data);
    for ty in POLICY_TYPES {
        for mode in MODES {
            match parse_policy_text_with(&text, ty, mode) {
                Ok(parsed) => policy_round_trips(&parsed.value, ty, mode)?,
                Err(d) => check_rejection(&d, &text, "text policy")?,
            }
        }
    }
    let options = LoadOptions::default();
    if let Ok(loaded) = parse_org_text(&text, "fuzz.gavel", Path::new(NOWHERE), &options) {
        for (p, ty) in org_policies(&loaded.value) {
            policy_round_trips(p, ty, options.mode)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// load_file

/// CRC-32/ISO-HDLC, bit by bit: an implementation independent of the runtime's, to re-seal
/// patched files (FORMAT.md, "Checksums").
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Reads the byte stream the fuzzer gave, one choice at a time (zeros once it runs out).
struct Bytes<'a> {
    data: &'a [u8],
}

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }

    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

fn get_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

fn get_u64(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(b.try_into().ok()?))
}

fn put_u32(bytes: &mut [u8], at: usize, v: u32) {
    if let Some(dst) = at.checked_add(4).and_then(|end| bytes.get_mut(at..end)) {
        dst.copy_from_slice(&v.to_le_bytes());
    }
}

/// Recomputes every checksum of `bytes` from the structure its header and table describe, as
/// far as they can be followed, so that a patched file reaches the structural checks behind
/// the checksums (FORMAT.md, "Validation order").
pub fn reseal(bytes: &mut [u8]) {
    const ENTRY: usize = 32;
    let table_offset = get_u64(bytes, 32).and_then(|v| usize::try_from(v).ok());
    let count = get_u32(bytes, 40).and_then(|v| usize::try_from(v).ok());
    if let (Some(table), Some(count)) = (table_offset, count)
        && count <= SectionKind::COUNT
    {
        for i in 0..count {
            let at = table + i * ENTRY;
            let offset = get_u64(bytes, at + 8).and_then(|v| usize::try_from(v).ok());
            let len = get_u64(bytes, at + 16).and_then(|v| usize::try_from(v).ok());
            if let (Some(o), Some(l)) = (offset, len)
                && let Some(section) = o.checked_add(l).and_then(|end| bytes.get(o..end))
            {
                let crc = crc32(section);
                put_u32(bytes, at + 24, crc);
            }
        }
        if let Some(t) = table
            .checked_add(count * ENTRY)
            .and_then(|end| bytes.get(table..end))
        {
            let crc = crc32(t);
            put_u32(bytes, 44, crc);
        }
    }
    if let Some(body) = bytes.get(HEADER_LEN..) {
        let crc = crc32(body);
        put_u32(bytes, 48, crc);
    }
    if let Some(head) = bytes.get(..52) {
        let crc = crc32(head);
        put_u32(bytes, 52, crc);
    }
}

/// A decision file built from fuzz bytes: valid sections of fuzzer-chosen kinds and contents
/// (FORMAT.md's canonical layout), then byte patches, then (usually) every checksum re-sealed.
/// This gets the fuzzer past the header (STYLE.md 13) to the checks behind it, and, once
/// section readers exist, into them.
pub fn build_file(data: &[u8]) -> Vec<u8> {
    let mut b = Bytes { data };
    let control = b.u8();
    let mut builder = gavel_runtime::format::FileBuilder::new();
    let mut seen = Vec::new();
    for _ in 0..(control % 10) {
        let kind = SectionKind::ALL
            .get(usize::from(b.u8()) % SectionKind::COUNT)
            .copied()
            .unwrap_or(SectionKind::Strings);
        let len = usize::from(b.u8());
        let bytes = b.take(len).to_vec();
        if !seen.contains(&kind) {
            seen.push(kind);
            builder.add_section(kind, bytes);
        }
    }
    let Ok(mut file) = builder.finish() else {
        return Vec::new();
    };
    // Patches: (position, value) pairs until the input runs out.
    while !b.is_empty() && !file.is_empty() {
        let at = usize::from(b.u16()) % file.len();
        let value = b.u8();
        if let Some(byte) = file.get_mut(at) {
            *byte = value;
        }
    }
    // Three inputs in four are re-sealed; the rest test the checksums themselves.
    if control & 0xC0 != 0xC0 {
        reseal(&mut file);
    }
    file
}

/// Decoding a sound container on one thread and on two (as `Engine::open` does for large
/// files; small ones, which is all a fuzzer makes, take one) must give the same tables but for
/// plan numbering, or the same error. The one allowed difference: two threads keep a cache of
/// shared text each, so near the text budget they may refuse a file one thread accepts (never
/// the other way round).
fn one_and_two_threads_agree(f: &File<&[u8]>) -> Result<(), String> {
    let one = decode_with(f, false);
    let two = decode_with(f, true);
    match (&one, &two) {
        (Ok(a), Ok(b)) => {
            let same = a.actions == b.actions
                && a.policies == b.policies
                && a.scope == b.scope
                && a.derived.policy_index == b.derived.policy_index
                && a.derived.account_plans == b.derived.account_plans;
            if !same {
                return Err("one and two decoding threads give different tables".into());
            }
        }
        (Err(a), Err(b)) if a.to_string() == b.to_string() => {}
        (Err(a), Err(b)) if a.is_decoded_too_large() && b.is_decoded_too_large() => {}
        (Ok(_), Err(b)) if b.is_decoded_too_large() => {}
        _ => {
            return Err(format!(
                "one decoding thread gives {:?}, two give {:?}",
                one.as_ref().err().map(ToString::to_string),
                two.as_ref().err().map(ToString::to_string)
            ));
        }
    }
    Ok(())
}

/// One set of bytes through every reader: `File::from_bytes` and `verify` must agree on the
/// container; `Engine::from_bytes` also decodes the tables, so it may refuse a sound container
/// (never accept an unsound one); a refusal is a typed error that `verify` reports first; an
/// accepted file gives a usable engine whose snapshot matches the header, and a refused reload
/// keeps it.
pub fn check_file_bytes(bytes: &[u8]) -> Result<(), String> {
    let file = File::from_bytes(bytes);
    if let Ok(f) = &file {
        one_and_two_threads_agree(f)?;
    }
    let report = verify(bytes);
    let engine = Engine::from_bytes(bytes.to_vec());
    if let (Ok(_), Err(e)) = (&file, &engine) {
        // A sound container whose tables do not decode: a typed error, nothing more to check.
        if e.to_string().is_empty() {
            return Err("a table load error with an empty message".into());
        }
        return Ok(());
    }
    if file.is_ok() != report.is_ok() || file.is_ok() != engine.is_ok() {
        return Err(format!(
            "readers disagree: File::from_bytes {:?}, verify {:?}, Engine::from_bytes {:?}",
            file.as_ref().err().map(ToString::to_string),
            report
                .problems()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            engine.as_ref().err().map(ToString::to_string)
        ));
    }
    match (&file, &engine) {
        (Err(e), _) => {
            let message = e.to_string();
            if message.is_empty() {
                return Err("a load error with an empty message".into());
            }
            let first = report.problems().first().map(ToString::to_string);
            if first.as_deref() != Some(message.as_str()) {
                return Err(format!(
                    "File::from_bytes says `{message}` but verify's first problem is {first:?}"
                ));
            }
        }
        (Ok(f), Ok(engine)) => {
            let snapshot = engine.snapshot();
            if snapshot.checksum() != Some(f.header().body_checksum) {
                return Err("the snapshot's checksum is not the header's body checksum".into());
            }
            for kind in SectionKind::ALL {
                if snapshot.section(kind) != f.section(kind) {
                    return Err(format!(
                        "the engine and the file disagree on section `{}`",
                        kind.name()
                    ));
                }
            }
            // A damaged replacement is refused and the good snapshot stays.
            let mut damaged = bytes.to_vec();
            if let Some(b) = damaged.get_mut(bytes.len() / 2) {
                *b ^= 0x5A;
            }
            if engine.reload_bytes(damaged).is_ok() {
                return Err("a reload with a damaged byte was accepted".into());
            }
            if engine.snapshot().checksum() != Some(f.header().body_checksum) {
                return Err("a refused reload replaced the snapshot".into());
            }
            // The tables decoded: deciding must not panic, whatever they hold.
            for (principal, action, resource) in [
                (
                    "arn:aws:iam::111122223333:user/alice",
                    "s3:GetObject",
                    "arn:aws:s3:::b/k",
                ),
                (
                    "arn:aws:sts::111122223333:assumed-role/r/s",
                    "iam:PassRole",
                    "*",
                ),
                (
                    "arn:aws:iam::111122223333:root",
                    "kms:Decrypt",
                    "arn:aws:kms:us-east-1:111122223333:key/k",
                ),
            ] {
                if let Ok(p) = gavel_runtime::Principal::parse(principal) {
                    let req = gavel_runtime::Request {
                        principal: p,
                        action: action.into(),
                        resource: resource.into(),
                        resource_account: None,
                        context: gavel_runtime::Context::new(),
                        session: None,
                        time: Some(0),
                    };
                    let _ = engine.authorize(&req);
                    let _ = engine.authorize_explain(&req);
                }
            }
        }
        (Ok(_), Err(_)) => return Err("unreachable: agreement checked above".into()),
    }
    Ok(())
}

/// Any bytes as a decision file, and the same bytes as the contents and patches of a valid
/// container ([`build_file`]): never a panic, the readers agree ([`check_file_bytes`]).
pub fn load_file(data: &[u8]) -> Result<(), String> {
    check_file_bytes(data)?;
    check_file_bytes(&build_file(data))
}

// ---------------------------------------------------------------------------------------------
// wildcard

/// The characters patterns and texts are drawn from: few enough that matches happen, with the
/// separators the matchers care about (`:` and `/`), a multi-byte character and a line break
/// (which a regex `.` must be told to match).
const ALPHABET: [char; 8] = ['a', 'b', ':', ':', '/', 'é', '\n', 'A'];

/// A pattern token from a byte: a wildcard, a literal `*`/`?` (as a variable inserts), or an
/// alphabet character.
fn token(b: u8) -> Tok {
    match b % 12 {
        0 | 1 => Tok::Star,
        2 => Tok::Quest,
        3 => Tok::Char('*'),
        n => Tok::Char(ALPHABET.get(usize::from(n - 4)).copied().unwrap_or('a')),
    }
}

fn alphabet_char(b: u8) -> char {
    match b % 10 {
        8 => '*',
        9 => '?',
        n => ALPHABET.get(usize::from(n)).copied().unwrap_or('a'),
    }
}

/// A regex that matches exactly the characters of `c`.
fn escape(c: char) -> String {
    if c.is_ascii_alphanumeric() {
        c.to_string()
    } else {
        format!("\\x{{{:x}}}", u32::from(c))
    }
}

/// The regex of a glob: `*` is `.*`, `?` is `.`, anything else itself (spec §3.1).
pub fn glob_regex(pattern: &[Tok]) -> String {
    let mut re = String::from("(?s)^(?:");
    for t in pattern {
        match t {
            Tok::Star => re.push_str(".*"),
            Tok::Quest => re.push('.'),
            Tok::Char(c) => re.push_str(&escape(*c)),
        }
    }
    re.push_str(")$");
    re
}

/// The regex of a `Resource` pattern for an ARN resource (spec §3.2 R3, A-10): before the
/// pattern's fifth `:` a `?` is one non-colon character and a `*` a run of non-colon characters
/// unless it ends its segment (then it may cross colons); after it, the glob reading.
pub fn resource_regex(pattern: &[Tok]) -> String {
    let mut re = String::from("(?s)^(?:");
    let mut colons = 0;
    for (i, t) in pattern.iter().enumerate() {
        let head = colons < 5;
        match t {
            Tok::Char(c) => {
                if *c == ':' {
                    colons += 1;
                }
                re.push_str(&escape(*c));
            }
            Tok::Quest => re.push_str(if head { "[^:]" } else { "." }),
            Tok::Star => {
                let ends = matches!(pattern.get(i + 1), None | Some(Tok::Char(':')));
                re.push_str(if head && !ends { "[^:]*" } else { ".*" });
            }
        }
    }
    re.push_str(")$");
    re
}

/// The regex of an `ArnLike` pattern with at least five colons (spec §4.6): wildcards of the
/// first five components never match `:`, so the pattern's five colons must meet the value's
/// first five; the sixth component is a plain glob.
pub fn arn_regex(pattern: &[Tok]) -> String {
    let mut re = String::from("(?s)^(?:");
    let mut colons = 0;
    for t in pattern {
        let head = colons < 5;
        match t {
            Tok::Char(c) => {
                if *c == ':' {
                    colons += 1;
                }
                re.push_str(&escape(*c));
            }
            Tok::Quest => re.push_str(if head { "[^:]" } else { "." }),
            Tok::Star => re.push_str(if head { "[^:]*" } else { ".*" }),
        }
    }
    re.push_str(")$");
    re
}

/// Texts near `pattern`: an instance of it (each `*` filled with a short run, each `?` with
/// one character), then that instance with one edit (a character deleted, inserted, replaced,
/// or two swapped), and one text drawn straight from the alphabet.
fn near_misses(pattern: &[Tok], b: &mut Bytes<'_>) -> Vec<String> {
    let mut instance = String::new();
    for t in pattern {
        match t {
            Tok::Char(c) => instance.push(*c),
            Tok::Quest => instance.push(alphabet_char(b.u8())),
            Tok::Star => {
                for _ in 0..(b.u8() % 4) {
                    instance.push(alphabet_char(b.u8()));
                }
            }
        }
    }
    let mut out = vec![instance.clone()];
    let chars: Vec<char> = instance.chars().collect();
    for _ in 0..4 {
        let mut edited = chars.clone();
        let at = usize::from(b.u8()) % (edited.len() + 1);
        match b.u8() % 4 {
            0 if at < edited.len() => {
                edited.remove(at);
            }
            1 => edited.insert(at, alphabet_char(b.u8())),
            2 if at < edited.len() => {
                if let Some(c) = edited.get_mut(at) {
                    *c = alphabet_char(b.u8());
                }
            }
            _ if at + 1 < edited.len() => edited.swap(at, at + 1),
            _ => edited.push(':'),
        }
        out.push(edited.into_iter().collect());
    }
    let len = b.u8() % 16;
    out.push((0..len).map(|_| alphabet_char(b.u8())).collect());
    out
}

/// Compiles a regex and matches it against each text; `None` when the regex engine refuses the
/// source (too large). Supplied by the caller so that this crate needs no regex engine.
pub type RegexOracle<'a> = &'a dyn Fn(&str, &[String]) -> Option<Vec<bool>>;

/// The IAM matchers against a regex engine, on a pattern drawn from the fuzz bytes and texts
/// that nearly match it: `glob_match` against [`glob_regex`], `resource_matches` against R1,
/// R2, "an ARN has six components" and [`resource_regex`], `arn_like` against "both sides have
/// six components" and [`arn_regex`].
pub fn wildcard(data: &[u8], regex: RegexOracle<'_>) -> Result<(), String> {
    let split = data.iter().position(|b| *b == 0xFF).unwrap_or(data.len());
    let (head, rest) = data.split_at(split);
    let mut pattern: Vec<Tok> = head.iter().take(48).map(|b| token(*b)).collect();
    let mut b = Bytes {
        data: rest.get(1..).unwrap_or_default(),
    };
    // Half the patterns start like an ARN, so the resource and ARN rules get past "is an ARN".
    if pattern.first() == Some(&Tok::Char('a')) {
        let mut arn = Tok::glob("arn:aws:s3:");
        arn.append(&mut pattern);
        pattern = arn;
    }
    let mut texts = near_misses(&pattern, &mut b);
    texts.push("*".into());
    let colons = |s: &str| s.chars().filter(|c| *c == ':').count();
    let pattern_colons = pattern.iter().filter(|t| **t == Tok::Char(':')).count();

    let report = |what: &str, text: &str, got: bool, want: bool, re: &str| {
        format!(
            "{what} disagrees with the regex: pattern {pattern:?}, text {text:?}: matcher says {got}, regex `{re}` says {want}"
        )
    };

    let re = glob_regex(&pattern);
    if let Some(want) = regex(&re, &texts) {
        for (text, want) in texts.iter().zip(want) {
            let got = glob_match(&pattern, text);
            if got != want {
                return Err(report("glob_match", text, got, want, &re));
            }
        }
    }

    let re = resource_regex(&pattern);
    if let Some(by_regex) = regex(&re, &texts) {
        for (text, by_regex) in texts.iter().zip(by_regex) {
            let want = if pattern == [Tok::Star] {
                true
            } else if text == "*" || colons(text) < 5 {
                false
            } else {
                by_regex
            };
            let got = resource_matches(&pattern, text);
            if got != want {
                return Err(report("resource_matches", text, got, want, &re));
            }
        }
    }

    let re = arn_regex(&pattern);
    if let Some(by_regex) = regex(&re, &texts) {
        for (text, by_regex) in texts.iter().zip(by_regex) {
            let want = pattern_colons >= 5 && colons(text) >= 5 && by_regex;
            let got = arn_like(&pattern, text);
            if got != want {
                return Err(report("arn_like", text, got, want, &re));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// differential

/// `org` with every policy replaced by what reading `print(policy)` back gives; `print` is the
/// canonical JSON or the text form. `Err` when a printed policy does not read back.
fn reprinted(org: &Organization, via_text: bool) -> Result<Organization, String> {
    let mode = ParseMode::Lenient;
    let again = |p: &Policy, ty: PolicyType| -> Result<Policy, String> {
        let printed = if via_text {
            policy_to_text(p)
        } else {
            policy_to_json(p).to_string()
        };
        let parsed = if via_text {
            parse_policy_text_with(&printed, ty, mode)
        } else {
            parse_policy_with(&printed, ty, mode)
        };
        parsed.map(|p| p.value).map_err(|d| {
            format!(
                "a policy of the organization does not read back as {}:\n{}\nprinted:\n{printed}",
                ty.describe(),
                d.summary()
            )
        })
    };
    let mut out = org.clone();
    for a in out.accounts.values_mut() {
        for u in a.users.values_mut() {
            for p in &mut u.inline {
                p.policy = again(&p.policy, PolicyType::Identity)?;
            }
        }
        for g in a.groups.values_mut() {
            for p in &mut g.inline {
                p.policy = again(&p.policy, PolicyType::Identity)?;
            }
        }
        for r in a.roles.values_mut() {
            r.trust = again(&r.trust, PolicyType::Trust)?;
            for p in &mut r.inline {
                p.policy = again(&p.policy, PolicyType::Identity)?;
            }
        }
    }
    for m in out.managed_policies.values_mut() {
        for (_, p) in &mut m.versions {
            *p = again(p, PolicyType::Identity)?;
        }
    }
    for p in out.scps.values_mut() {
        p.policy = again(&p.policy, PolicyType::Scp)?;
    }
    for p in out.rcps.values_mut() {
        p.policy = again(&p.policy, PolicyType::Rcp)?;
    }
    for r in out.resources.values_mut() {
        if let Some(p) = &mut r.policy {
            *p = again(p, PolicyType::Resource)?;
        }
    }
    Ok(out)
}

/// Describes a disagreement: the request, and each evaluator's answer.
fn disagreement(req: &OrgRequest, answers: &[(&str, &Explanation)]) -> String {
    let mut out = format!(
        "evaluators disagree\n  request: {} {} on {} (resource account {:?}, time {:?}), context {:?}, session {:?}\n",
        req.principal,
        req.action,
        req.resource,
        req.resource_account,
        req.time,
        req.context.iter().collect::<Vec<_>>(),
        req.session
    );
    for (name, a) in answers {
        let _ = writeln!(
            out,
            "  {name}: {} ({}) {:?}",
            a.decision,
            a.basis.describe(),
            a.statements
        );
    }
    out
}

/// Decides every request against `org` with the reference, and again after every policy of
/// the organization went through its canonical JSON and, separately, its text form: the
/// decisions and deciding statements must not change (a metamorphic check of both front ends
/// and printers over the reference). Returns the reference's answers.
///
/// The caller prints the organization on failure (it knows how it was generated).
pub fn differential(
    org: &Organization,
    requests: &[OrgRequest],
) -> Result<Vec<Explanation>, String> {
    let opts = Options::default();
    let via_json = reprinted(org, false)?;
    let via_text = reprinted(org, true)?;
    // The compiled path: the organization lowered, written to a decision file, loaded back.
    let tables = crate::lower::compile_org(org, &crate::lower::CompileOptions::default())
        .map_err(|e| format!("compile: {e}"))?;
    let engine = gavel_runtime::Engine::from_bytes(tables.to_bytes())
        .map_err(|e| format!("the compiled file does not load: {e}"))?;
    let mut answers = Vec::with_capacity(requests.len());
    for req in requests {
        let reference = decide_org(org, req, &opts);
        let json = decide_org(&via_json, req, &opts);
        let text = decide_org(&via_text, req, &opts);
        if !same_answer(&reference, &json) || !same_answer(&reference, &text) {
            return Err(disagreement(
                req,
                &[
                    ("reference", &reference),
                    ("reference after JSON round trip", &json),
                    ("reference after text round trip", &text),
                ],
            ));
        }
        let compiled = crate::agreement::decide_org_engine(&engine, req);
        if !same_answer(&reference, &compiled) {
            return Err(disagreement(
                req,
                &[("reference", &reference), ("compiled file", &compiled)],
            ));
        }
        answers.push(reference);
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_the_zlib_crc() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn an_unpatched_built_file_loads() {
        // Control byte 3: three sections, none patched (the input ends), re-sealed.
        let data = [3u8, 0, 4, 1, 2, 3, 4, 1, 0, 8, 2, 7];
        let file = build_file(&data);
        assert!(File::from_bytes(&file[..]).is_ok());
        assert_eq!(check_file_bytes(&file), Ok(()));
    }

    #[test]
    fn reseal_of_a_valid_file_changes_nothing() {
        let file = build_file(&[2u8, 0, 3, 9, 9, 9, 5, 1, 42]);
        let mut again = file.clone();
        reseal(&mut again);
        assert_eq!(file, again);
    }

    #[test]
    fn regexes_escape_everything_but_wildcards() {
        assert_eq!(
            glob_regex(&Tok::glob("a*?:")),
            "(?s)^(?:a.*.\\x{3a})$".to_string()
        );
        assert_eq!(
            resource_regex(&Tok::glob("a:b*c:*")),
            "(?s)^(?:a\\x{3a}b[^:]*c\\x{3a}.*)$".to_string()
        );
    }
}
