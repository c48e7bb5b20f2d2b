//! CST to IAM JSON, with a map from every JSON token back to the text it came from. The JSON
//! then goes through the JSON front end, so both front ends apply exactly the same rules and
//! build the same model; diagnostics and locations are mapped back to the text.

use crate::diagnostics::Diagnostic;
use crate::model::operator::edit_distance;
use crate::model::{Loc, Operator};
use crate::text::cst::{Body, Clause, Cond, EffectKw, Item, Sp, Statement, Value};
use crate::text::ops;

/// JSON text under construction, and where each piece came from.
#[derive(Default)]
pub(crate) struct Out {
    /// The JSON text.
    pub(crate) s: String,
    /// `(json offset, text start, text end)`, in increasing JSON offset.
    pub(crate) map: Vec<(usize, usize, usize)>,
}

impl Out {
    /// Marks that what is written next comes from `lo..hi` of the text.
    pub(crate) fn mark(&mut self, lo: usize, hi: usize) {
        self.map.push((self.s.len(), lo, hi));
    }

    /// Writes raw JSON.
    pub(crate) fn raw(&mut self, s: &str) {
        self.s.push_str(s);
    }

    /// Writes a JSON string that came from `lo..hi`.
    pub(crate) fn str_at(&mut self, v: &str, lo: usize, hi: usize) {
        self.mark(lo, hi);
        self.s
            .push_str(&serde_json::to_string(v).unwrap_or_else(|_| "\"\"".into()));
    }

    /// Writes a JSON string from a spanned value.
    pub(crate) fn str_sp(&mut self, v: &Sp<String>) {
        self.str_at(&v.v, v.lo, v.hi);
    }

    /// Writes `"key":`.
    pub(crate) fn key(&mut self, k: &str) {
        self.s
            .push_str(&serde_json::to_string(k).unwrap_or_else(|_| "\"\"".into()));
        self.s.push(':');
    }

    /// The text span a JSON offset came from.
    pub(crate) fn span_of(&self, json_offset: usize) -> (usize, usize) {
        let i = self.map.partition_point(|(o, _, _)| *o <= json_offset);
        match i.checked_sub(1).and_then(|i| self.map.get(i)) {
            Some((_, lo, hi)) => (*lo, *hi),
            None => (0, 0),
        }
    }

    /// Maps a JSON location to the text location.
    pub(crate) fn map_loc(&self, text: &str, loc: Loc) -> (Loc, usize) {
        let (lo, hi) = self.span_of(loc.offset as usize);
        (Loc::at(text, lo), hi.saturating_sub(lo))
    }

    /// Maps a diagnostic found in the JSON back to the text.
    pub(crate) fn map_diag(&self, text: &str, mut d: Diagnostic) -> Diagnostic {
        let (loc, len) = self.map_loc(text, d.loc);
        d.loc = loc;
        d.len = len;
        d
    }
}

/// A location in the text.
fn at(text: &str, lo: usize) -> Loc {
    Loc::at(text, lo)
}

/// Lowers the items of a policy (headers and statements) to IAM JSON in `out`. `lo` is where
/// the policy starts in the text. Items that do not belong in a policy are reported.
pub(crate) fn policy_json(
    text: &str,
    items: &[Sp<Item>],
    lo: usize,
    out: &mut Out,
    diags: &mut Vec<Diagnostic>,
) {
    let mut version: Option<&Sp<String>> = None;
    let mut id: Option<&Sp<String>> = None;
    let mut statements: Vec<&Statement> = Vec::new();
    for item in items {
        match &item.v {
            Item::Version(v) => {
                if version.is_some() {
                    diags.push(
                        Diagnostic::error(
                            "duplicate",
                            at(text, item.lo),
                            "`version` is given twice",
                        )
                        .with_len(item.hi - item.lo),
                    );
                }
                version = Some(v);
            }
            Item::Id(v) => {
                if id.is_some() {
                    diags.push(
                        Diagnostic::error("duplicate", at(text, item.lo), "`id` is given twice")
                            .with_len(item.hi - item.lo),
                    );
                }
                id = Some(v);
            }
            Item::Statement(s) => statements.push(s),
            Item::Error => {}
            other => diags.push(
                Diagnostic::error(
                    "misplaced",
                    at(text, item.lo),
                    format!("{} cannot appear in a policy", describe_item(other)),
                )
                .with_len(keyword_len(text, item.lo))
                .with_help("a policy holds `version`, `id` and `allow`/`deny` statements"),
            ),
        }
    }
    out.mark(lo, lo);
    out.raw("{");
    let mut first = true;
    match version {
        None => {
            out.key("Version");
            out.str_at("2012-10-17", lo, lo);
            first = false;
        }
        Some(v) if v.v == "none" => {}
        Some(v) => {
            out.key("Version");
            out.str_sp(v);
            first = false;
        }
    }
    if let Some(id) = id {
        if !first {
            out.raw(",");
        }
        out.key("Id");
        out.str_sp(id);
        first = false;
    }
    if !first {
        out.raw(",");
    }
    out.key("Statement");
    out.raw("[");
    for (i, s) in statements.iter().enumerate() {
        if i > 0 {
            out.raw(",");
        }
        statement_json(text, s, out, diags);
    }
    out.raw("]}");
}

/// The length of the keyword at `lo`.
fn keyword_len(text: &str, lo: usize) -> usize {
    text.get(lo..)
        .map_or(1, |s| {
            s.find(|c: char| !c.is_alphanumeric() && c != '_')
                .unwrap_or(s.len())
        })
        .max(1)
}

/// How an item is named in messages.
pub(crate) fn describe_item(item: &Item) -> String {
    use crate::text::cst::DeclKw::*;
    match item {
        Item::Version(_) => "`version`".into(),
        Item::Id(_) => "`id`".into(),
        Item::Statement(_) => "a statement".into(),
        Item::Decl { kw, .. } => format!(
            "`{}`",
            match kw.v {
                Organization => "organization",
                Root => "root",
                Ou => "ou",
                Account => "account",
                Scp => "scp",
                Rcp => "rcp",
                User => "user",
                Group => "group",
                Role => "role",
                Policy => "policy",
                Inline => "inline",
                Resource => "resource",
                Managed => "managed",
            }
        ),
        Item::Trust(_) => "`trust`".into(),
        Item::Management(_) => "`management`".into(),
        Item::Attach { .. } => "`attach`".into(),
        Item::Import { .. } => "`import`".into(),
        Item::Mfa(_) => "`mfa`".into(),
        Item::Boundary(_) => "`boundary`".into(),
        Item::Tags(_) => "`tags`".into(),
        Item::MaxSession(_) => "`max_session`".into(),
        Item::Error => "an unreadable item".into(),
    }
}

fn statement_json(text: &str, s: &Statement, out: &mut Out, diags: &mut Vec<Diagnostic>) {
    let start = s
        .sid
        .as_ref()
        .map_or(s.effect.lo, |x| x.lo.min(s.effect.lo));
    out.mark(start, s.effect.hi);
    out.raw("{");
    if let Some(sid) = &s.sid {
        out.key("Sid");
        out.str_sp(sid);
        out.raw(",");
    }
    out.key("Effect");
    out.str_at(
        match s.effect.v {
            EffectKw::Allow => "Allow",
            EffectKw::Deny => "Deny",
        },
        s.effect.lo,
        s.effect.hi,
    );
    // Principal first, as IAM documents usually list it.
    let mut seen: [Option<usize>; 3] = [None; 3];
    for c in &s.clauses {
        let (slot, word) = match &c.v {
            Clause::On { .. } => (0, "on"),
            Clause::For { .. } => (1, "for"),
            Clause::When(_) => (2, "when"),
        };
        if let Some(prev) = seen[slot] {
            let line = at(text, prev).line;
            diags.push(
                Diagnostic::error(
                    "duplicate-clause",
                    at(text, c.lo),
                    format!("the statement already has a `{word}` clause"),
                )
                .with_len(word.len())
                .with_help(format!(
                    "merge it with the `{word}` clause on line {line}{}",
                    if word == "when" {
                        " (join conditions with `and`)"
                    } else {
                        " (separate the items with commas)"
                    }
                )),
            );
            continue;
        }
        seen[slot] = Some(c.lo);
    }
    let first_of = |slot: usize| {
        s.clauses.iter().find(|c| {
            matches!(
                (&c.v, slot),
                (Clause::On { .. }, 0) | (Clause::For { .. }, 1) | (Clause::When(_), 2)
            )
        })
    };
    if let Some(c) = first_of(1)
        && let Clause::For { not, star, entries } = &c.v
    {
        out.raw(",");
        out.mark(c.lo, c.lo + 3);
        out.key(if *not { "NotPrincipal" } else { "Principal" });
        principal_json(text, c, *star, entries, out, diags);
    }
    out.raw(",");
    out.mark(s.effect.lo, s.effect.hi);
    out.key(if s.not_actions { "NotAction" } else { "Action" });
    list_json(&s.actions, out);
    if let Some(c) = first_of(0)
        && let Clause::On { not, items } = &c.v
    {
        out.raw(",");
        out.mark(c.lo, c.lo + 2);
        out.key(if *not { "NotResource" } else { "Resource" });
        list_json(items, out);
    }
    if let Some(c) = first_of(2)
        && let Clause::When(conds) = &c.v
    {
        out.raw(",");
        out.mark(c.lo, c.lo + 4);
        out.key("Condition");
        out.mark(c.lo, c.lo + 4);
        condition_json(text, conds, out, diags);
    }
    out.raw("}");
}

fn list_json(items: &[Sp<String>], out: &mut Out) {
    out.raw("[");
    for (i, a) in items.iter().enumerate() {
        if i > 0 {
            out.raw(",");
        }
        out.str_sp(a);
    }
    out.raw("]");
}

/// The principal kinds: text word and JSON key.
pub(crate) const PRINCIPAL_KINDS: [(&str, &str); 4] = [
    ("aws", "AWS"),
    ("service", "Service"),
    ("federated", "Federated"),
    ("canonical_user", "CanonicalUser"),
];

fn principal_json(
    text: &str,
    c: &Sp<Clause>,
    star: bool,
    entries: &[(Sp<String>, Vec<Sp<Value>>)],
    out: &mut Out,
    diags: &mut Vec<Diagnostic>,
) {
    if star {
        out.str_at("*", c.lo, c.hi);
        return;
    }
    // Group by kind, in order of first appearance (the JSON object lists each kind once).
    let mut groups: Vec<(&'static str, Vec<&Sp<Value>>)> = Vec::new();
    for (kind, values) in entries {
        let found = PRINCIPAL_KINDS
            .iter()
            .find(|(w, j)| *w == kind.v || *j == kind.v)
            .map(|(_, j)| *j);
        let Some(json_kind) = found else {
            let mut d = Diagnostic::error(
                "unknown-principal-kind",
                at(text, kind.lo),
                format!("unknown principal kind `{}`", kind.v),
            )
            .with_len(kind.hi - kind.lo);
            let best = PRINCIPAL_KINDS
                .iter()
                .map(|(w, _)| (edit_distance(w, &kind.v.to_ascii_lowercase()), *w))
                .min_by_key(|(d, _)| *d);
            d = match best {
                Some((dist, w)) if dist <= 3 => d.with_help(format!("did you mean `{w}`?")),
                _ => d.with_help(
                    "a principal is `*`, or `aws`, `service`, `federated` or `canonical_user` followed by a string",
                ),
            };
            diags.push(d);
            continue;
        };
        match groups.iter_mut().find(|(k, _)| *k == json_kind) {
            Some((_, v)) => v.extend(values.iter()),
            None => groups.push((json_kind, values.iter().collect())),
        }
    }
    out.mark(c.lo, c.lo + 3);
    out.raw("{");
    for (i, (kind, values)) in groups.iter().enumerate() {
        if i > 0 {
            out.raw(",");
        }
        out.key(kind);
        out.raw("[");
        for (j, v) in values.iter().enumerate() {
            if j > 0 {
                out.raw(",");
            }
            out.str_at(&v.v.text(), v.lo, v.hi);
        }
        out.raw("]");
    }
    out.raw("}");
}

/// One condition, resolved: the AWS operator name, key, values, and spans.
struct Resolved<'a> {
    op: String,
    op_span: (usize, usize),
    key: &'a Sp<String>,
    values: Vec<(String, usize, usize)>,
}

fn resolve_cond<'a>(text: &str, c: &'a Cond, diags: &mut Vec<Diagnostic>) -> Option<Resolved<'a>> {
    match c {
        Cond::Verbatim { op, key, values } => Some(Resolved {
            op: op.v.clone(),
            op_span: (op.lo, op.hi),
            key,
            values: values.iter().map(|v| (v.v.text(), v.lo, v.hi)).collect(),
        }),
        Cond::Is {
            key,
            not,
            word,
            if_exists,
        } => {
            let suffix = if_exists_suffix(text, if_exists.as_ref(), diags);
            let (base, value) = match (word.v.as_str(), *not) {
                ("true", false) => ("Bool", "true"),
                ("false", false) => ("Bool", "false"),
                ("null", false) => ("Null", "true"),
                ("null", true) => ("Null", "false"),
                _ => {
                    diags.push(
                        Diagnostic::error(
                            "unknown-operator",
                            at(text, word.lo),
                            format!(
                                "`is {}{}` is not a condition",
                                if *not { "not " } else { "" },
                                word.v
                            ),
                        )
                        .with_len(word.hi - word.lo)
                        .with_help("write `is true`, `is false`, `is null` or `is not null`"),
                    );
                    return None;
                }
            };
            Some(Resolved {
                op: format!("{base}{suffix}"),
                op_span: (word.lo, word.hi),
                key,
                values: vec![(value.to_string(), word.lo, word.hi)],
            })
        }
        Cond::Infix {
            key,
            op,
            values,
            if_exists,
        } => {
            let suffix = if_exists_suffix(text, if_exists.as_ref(), diags);
            let (set, word) = match op.as_slice() {
                [w] => ("", w),
                [s, w] => {
                    let set = match s.v.as_str() {
                        "any" => "ForAnyValue:",
                        "all" => "ForAllValues:",
                        _ => {
                            diags.push(
                                Diagnostic::error(
                                    "unknown-operator",
                                    at(text, s.lo),
                                    format!("unknown set qualifier `{}`", s.v),
                                )
                                .with_len(s.hi - s.lo)
                                .with_help("before an operator, write `any` (ForAnyValue) or `all` (ForAllValues)"),
                            );
                            return None;
                        }
                    };
                    (set, w)
                }
                _ => return None,
            };
            let name = if let Some(base) = ops::from_alias(&word.v) {
                format!("{set}{}{suffix}", base.name())
            } else if Operator::parse(&word.v).is_ok()
                || word.v.to_ascii_lowercase().starts_with("null")
            {
                format!("{set}{}{suffix}", word.v)
            } else {
                diags.push(unknown_operator(text, word));
                return None;
            };
            Some(Resolved {
                op: name,
                op_span: (word.lo, word.hi),
                key,
                values: values.iter().map(|v| (v.v.text(), v.lo, v.hi)).collect(),
            })
        }
    }
}

fn unknown_operator(text: &str, word: &Sp<String>) -> Diagnostic {
    let lower = word.v.to_ascii_lowercase();
    let best_alias = ops::ALIASES
        .iter()
        .map(|(a, _)| (edit_distance(a, &lower), *a))
        .min_by_key(|(d, _)| *d);
    let d = Diagnostic::error(
        "unknown-operator",
        at(text, word.lo),
        format!("unknown condition operator `{}`", word.v),
    )
    .with_len(word.hi - word.lo);
    match (best_alias, Operator::suggest(&word.v)) {
        (Some((dist, a)), _) if dist <= 2 => d.with_help(format!("did you mean `{a}`?")),
        (_, Some(aws)) => d.with_help(format!("did you mean `{aws}`?")),
        _ => d.with_help(
            "operators are `eq`, `ne`, `like`, `not_like`, `ip_in`, `num_lt`, `before`, `arn_like`, `is true`, `is null`, … or any AWS operator name such as `StringEquals`",
        ),
    }
}

fn if_exists_suffix(
    text: &str,
    w: Option<&Sp<String>>,
    diags: &mut Vec<Diagnostic>,
) -> &'static str {
    match w {
        None => "",
        Some(w) if w.v == "exists" => "IfExists",
        Some(w) => {
            diags.push(
                Diagnostic::error(
                    "syntax",
                    at(text, w.lo),
                    format!("expected `exists` after `if`, found `{}`", w.v),
                )
                .with_len(w.hi - w.lo)
                .with_help("write `if exists` after the values"),
            );
            "IfExists"
        }
    }
}

fn condition_json(text: &str, conds: &[Cond], out: &mut Out, diags: &mut Vec<Diagnostic>) {
    let resolved: Vec<Resolved<'_>> = conds
        .iter()
        .filter_map(|c| resolve_cond(text, c, diags))
        .collect();
    // Consecutive clauses with one operator share a block; a key repeated, or an operator
    // coming back later, opens a block under another spelling of the operator name, which
    // reads back as the same operator (like `policy_to_json`), so clause order survives.
    let mut groups: Vec<(String, String, Vec<&Resolved<'_>>)> = Vec::new();
    for r in &resolved {
        let canon = Operator::parse(&r.op).map_or_else(|_| r.op.clone(), |o| o.to_string());
        if let Some((c, _, members)) = groups.last_mut()
            && *c == canon
            && !members.iter().any(|m| m.key.v == r.key.v)
        {
            members.push(r);
            continue;
        }
        let mut name = if canon == r.op || Operator::parse(&r.op).is_ok() {
            canon.clone()
        } else {
            r.op.clone()
        };
        let mut variant = 0;
        while groups.iter().any(|(_, n, _)| *n == name) && variant <= canon.len() {
            variant += 1;
            name = crate::json::case_variant(&canon, variant);
        }
        groups.push((canon, name, vec![r]));
    }
    out.raw("{");
    for (i, (_, name, members)) in groups.iter().enumerate() {
        if i > 0 {
            out.raw(",");
        }
        let first = members.first().map_or((0, 0), |m| m.op_span);
        out.str_at(name, first.0, first.1);
        out.raw(":{");
        for (j, m) in members.iter().enumerate() {
            if j > 0 {
                out.raw(",");
            }
            out.str_sp(m.key);
            out.raw(":[");
            for (k, (v, lo, hi)) in m.values.iter().enumerate() {
                if k > 0 {
                    out.raw(",");
                }
                out.str_at(v, *lo, *hi);
            }
            out.raw("]");
        }
        out.raw("}");
    }
    out.raw("}");
}

/// The policy items of a body: a block's items, or one statement.
pub(crate) fn body_items(body: &Body) -> Vec<Sp<Item>> {
    match body {
        Body::Block(items) => items.clone(),
        Body::Statement(s) => vec![Sp::new(
            s.sid.as_ref().map_or(s.effect.lo, |x| x.lo),
            Item::Statement(s.clone()),
            s.effect.hi,
        )],
        Body::Import(_) => Vec::new(),
    }
}
