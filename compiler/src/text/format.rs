//! `gavel fmt` on the text language: the canonical layout of a policy or organization file,
//! written from its syntax tree so that nothing the author wrote is lost: imports stay
//! imports, names stay names, and comments are kept.
//!
//! Comments are attached to the item that follows them (or, on the same line, to the item
//! they end). A comment inside an item that is written as a unit (a statement, a `tags` list,
//! a declaration's qualifiers) moves to the line before that item. Statements are written
//! from the policy model, like [`policy_to_text`](crate::text::policy_to_text), so conditions
//! get their canonical operator names.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::json::{ParseMode, parse_policy_with};
use crate::model::{Policy, PolicyType, Statement};
use crate::text::cst::{Body, DeclKw, Head, Item, Sp};
use crate::text::layout::{Entry, Node, render, word};
use crate::text::lexer::{Lexer, Token};
use crate::text::lower::{Out, body_items, policy_json};
use crate::text::parse::parse_cst;
use crate::text::printer::{policy_header, quote};

/// Formats a policy written in the text language, keeping its comments. The policy must be
/// valid as a policy of type `ty` (documents are read leniently, as `gavel fmt` does).
pub fn format_policy_text(text: &str, ty: PolicyType) -> Result<String, Diagnostics> {
    let policy = crate::text::parse_policy_text_with(text, ty, ParseMode::Lenient)?.value;
    let (items, _) = parse_cst(text);
    let mut f = Formatter::new(text);
    let r = f.policy_items(&items, 0, text.len(), None, &policy);
    f.finish(render_file(r))
}

/// Formats an organization written in the text language, keeping its comments, imports and
/// names as written. Syntax, placement and reference errors are reported; the files it
/// imports are not read (load it with [`parse_org_text`](crate::text::parse_org_text) to
/// check them).
pub fn format_org_text(text: &str) -> Result<String, Diagnostics> {
    crate::text::org_text_to_manifest(text)?;
    let (items, _) = parse_cst(text);
    let mut f = Formatter::new(text);
    let r = f.items(&items, 0, text.len(), None, None);
    f.finish(render_file(r))
}

/// A whole file: its items, then the comments after the last one.
fn render_file(r: Region) -> String {
    let mut out = render(&r.body);
    for c in r.end {
        out.push_str(&c);
        out.push('\n');
    }
    out
}

/// Comments and items collected while laying out a region.
struct Acc {
    body: Vec<Entry>,
    /// Comments waiting for the next item (`""`: a blank line between them).
    pending: Vec<String>,
    /// Where the last waiting comment ends.
    pending_end: usize,
    open_comment: Option<String>,
}

/// The items of a region with the comments that are not attached to one of them.
struct Region {
    body: Vec<Entry>,
    open: Option<String>,
    end: Vec<String>,
}

struct Formatter<'t> {
    text: &'t str,
    /// Every comment: start and end byte.
    comments: Vec<(usize, usize)>,
    /// Every `{`: its byte.
    braces: Vec<usize>,
    diags: Vec<Diagnostic>,
}

/// What a policy block is attached as.
fn policy_type(kw: DeclKw, parent: Option<DeclKw>) -> PolicyType {
    match (kw, parent) {
        (DeclKw::Scp, _) => PolicyType::Scp,
        (DeclKw::Rcp, _) => PolicyType::Rcp,
        (DeclKw::Policy, Some(DeclKw::Resource)) => PolicyType::Resource,
        _ => PolicyType::Identity,
    }
}

fn kw_text(kw: DeclKw) -> &'static str {
    match kw {
        DeclKw::Organization => "organization",
        DeclKw::Root => "root",
        DeclKw::Ou => "ou",
        DeclKw::Account => "account",
        DeclKw::Scp => "scp",
        DeclKw::Rcp => "rcp",
        DeclKw::User => "user",
        DeclKw::Group => "group",
        DeclKw::Role => "role",
        DeclKw::Policy => "policy",
        DeclKw::Inline => "inline",
        DeclKw::Resource => "resource",
        DeclKw::Managed => "managed",
    }
}

/// The qualifiers in their canonical order.
fn heads_text(heads: &[Sp<Head>]) -> String {
    let order = |h: &Head| match h {
        Head::Id(_) => 0,
        Head::Path(_) => 1,
        Head::Arn(_) => 2,
        Head::UniqueId(_) => 3,
        Head::Version(_) => 4,
        Head::Default => 5,
        Head::In(_) => 6,
        Head::Outside => 7,
    };
    let mut sorted: Vec<&Sp<Head>> = heads.iter().collect();
    sorted.sort_by_key(|h| order(&h.v));
    let mut out = String::new();
    for h in sorted {
        out.push(' ');
        out.push_str(&match &h.v {
            Head::Id(w) => format!("id {}", word(&w.v)),
            Head::Path(p) => format!("path {}", quote(&p.v)),
            Head::Arn(w) => format!("arn {}", word(&w.v)),
            Head::UniqueId(w) => format!("unique_id {}", word(&w.v)),
            Head::Version(w) => format!("version {}", word(&w.v)),
            Head::Default => "default".to_string(),
            Head::In(gs) => format!(
                "in {}",
                gs.iter().map(|g| word(&g.v)).collect::<Vec<_>>().join(", ")
            ),
            Head::Outside => "outside".to_string(),
        });
    }
    out
}

impl<'t> Formatter<'t> {
    fn new(text: &'t str) -> Formatter<'t> {
        let mut comments = Vec::new();
        let mut braces = Vec::new();
        let mut prev = 0;
        let scan_gap = |from: usize, to: usize, comments: &mut Vec<(usize, usize)>| {
            let gap = text.get(from..to).unwrap_or("");
            let mut i = 0;
            while i < gap.len() {
                let rest = gap.get(i..).unwrap_or("");
                if rest.starts_with("//") {
                    let len = rest.find('\n').unwrap_or(rest.len());
                    comments.push((from + i, from + i + len));
                    i += len;
                } else if rest.starts_with("/*") {
                    let len = rest.find("*/").map_or(rest.len(), |e| e + 2);
                    comments.push((from + i, from + i + len));
                    i += len;
                } else {
                    i += rest.chars().next().map_or(1, char::len_utf8);
                }
            }
        };
        for (lo, tok, hi) in Lexer::new(text).flatten() {
            scan_gap(prev, lo, &mut comments);
            if tok == Token::LBrace {
                braces.push(lo);
            }
            prev = hi;
        }
        scan_gap(prev, text.len(), &mut comments);
        Formatter {
            text,
            comments,
            braces,
            diags: Vec::new(),
        }
    }

    fn finish(self, out: String) -> Result<String, Diagnostics> {
        if self.diags.is_empty() {
            Ok(out)
        } else {
            let mut d = Diagnostics::from(self.diags);
            d.sort();
            Err(d)
        }
    }

    fn comment(&self, (lo, hi): (usize, usize)) -> String {
        self.text.get(lo..hi).unwrap_or("").trim_end().to_string()
    }

    fn comments_in(&self, lo: usize, hi: usize) -> Vec<(usize, usize)> {
        self.comments
            .iter()
            .copied()
            .filter(|(c, _)| *c >= lo && *c < hi)
            .collect()
    }

    fn same_line(&self, a: usize, b: usize) -> bool {
        let (a, b) = (a.min(b), a.max(b));
        !self.text.get(a..b).unwrap_or("\n").contains('\n')
    }

    fn is_line_comment(&self, (lo, hi): (usize, usize)) -> bool {
        !self.text.get(lo..hi).unwrap_or("\n").contains('\n')
    }

    /// The first `{` at or after `from`.
    fn brace_after(&self, from: usize) -> Option<usize> {
        self.braces.iter().copied().find(|b| *b >= from)
    }

    /// Lays out the items of the region `lo..hi` (after a `{` when `open` is given), placing
    /// the comments between them. `node` writes one item and returns the comments inside it
    /// that move before it; `None` drops the item (its comments go to the next one).
    fn region<'i>(
        &mut self,
        items: &'i [Sp<Item>],
        lo: usize,
        hi: usize,
        open: Option<usize>,
        mut node: impl FnMut(&mut Self, &'i Sp<Item>) -> Option<(Node, Vec<String>)>,
    ) -> Region {
        let mut acc = Acc {
            body: Vec::new(),
            pending: Vec::new(),
            pending_end: 0,
            open_comment: None,
        };
        // Where the next gap starts, and the end of the last item written (a comment on its
        // line trails it).
        let mut scan_from = lo;
        let mut anchor: Option<usize> = None;
        for item in items {
            for c in self.comments_in(scan_from, item.lo) {
                self.place(&mut acc, c, anchor, open);
            }
            scan_from = item.hi;
            let Some((n, moved)) = node(self, item) else {
                // An item written elsewhere (a policy's header): its comments go on.
                for c in self.comments_in(item.lo, item.hi) {
                    self.place(&mut acc, c, None, None);
                }
                anchor = None;
                continue;
            };
            anchor = Some(item.hi);
            let mut lead = std::mem::take(&mut acc.pending);
            if !lead.is_empty() && self.blank_between(acc.pending_end, item.lo) {
                lead.push(String::new());
            }
            lead.extend(moved);
            acc.body.push(Entry {
                lead,
                node: n,
                trail: None,
            });
        }
        let before_end = acc.pending.len();
        for c in self.comments_in(scan_from, hi) {
            self.place(&mut acc, c, anchor, open);
        }
        // A blank line between the last item and the comments after it is kept.
        if before_end == 0
            && !acc.pending.is_empty()
            && !acc.body.is_empty()
            && self.blank_between(
                scan_from,
                self.comments_in(scan_from, hi).first().map_or(hi, |c| c.0),
            )
        {
            acc.pending.insert(0, String::new());
        }
        Region {
            body: acc.body,
            open: acc.open_comment,
            end: acc.pending,
        }
    }

    /// True when a blank line separates `a` from `b`.
    fn blank_between(&self, a: usize, b: usize) -> bool {
        self.text
            .get(a.min(b)..b)
            .is_some_and(|g| g.matches('\n').count() >= 2)
    }

    /// Places a comment found between items: after the last item on its line, after the
    /// block's `{` on its line, or before the next item (blank lines between comments kept).
    fn place(&self, acc: &mut Acc, c: (usize, usize), anchor: Option<usize>, open: Option<usize>) {
        let text = self.comment(c);
        let line = self.is_line_comment(c);
        if let (Some(end), Some(last)) = (anchor, acc.body.last_mut())
            && self.same_line(end, c.0)
            && line
            && last.trail.is_none()
        {
            last.trail = Some(text);
        } else if acc.body.is_empty()
            && acc.pending.is_empty()
            && acc.open_comment.is_none()
            && line
            && open.is_some_and(|o| self.same_line(o, c.0))
        {
            acc.open_comment = Some(text);
        } else {
            if !acc.pending.is_empty() && self.blank_between(acc.pending_end, c.0) {
                acc.pending.push(String::new());
            }
            acc.pending.push(text);
            acc.pending_end = c.1;
        }
    }

    /// The items of a file or block of an organization; `parent` is the declaration they are
    /// in.
    fn items(
        &mut self,
        items: &[Sp<Item>],
        lo: usize,
        hi: usize,
        open: Option<usize>,
        parent: Option<DeclKw>,
    ) -> Region {
        self.region(items, lo, hi, open, |f, item| Some(f.item(item, parent)))
    }

    /// Comments inside `lo..hi`, which move before the item they are in.
    fn moved(&self, lo: usize, hi: usize) -> Vec<String> {
        self.comments_in(lo, hi)
            .into_iter()
            .map(|c| self.comment(c))
            .collect()
    }

    /// A block `head { items }`: comments between the start of the item and `{` move before
    /// it; `inner` lays out the items between the braces.
    fn block(
        &mut self,
        item: &Sp<Item>,
        head: String,
        header_end: usize,
        inner: impl FnOnce(&mut Self, usize, usize, usize) -> Region,
    ) -> (Node, Vec<String>) {
        let Some(brace) = self.brace_after(header_end).filter(|b| *b < item.hi) else {
            return (Node::Line(head), self.moved(item.lo, item.hi));
        };
        let close = item.hi.saturating_sub(1);
        let moved = self.moved(item.lo, brace);
        let r = inner(self, brace + 1, close, brace);
        (
            Node::Block {
                head,
                open_comment: r.open,
                body: r.body,
                end: r.end,
            },
            moved,
        )
    }

    fn item(&mut self, item: &Sp<Item>, parent: Option<DeclKw>) -> (Node, Vec<String>) {
        let atomic = |f: &Self, n: Node| (n, f.moved(item.lo, item.hi));
        match &item.v {
            Item::Decl {
                kw,
                name,
                label,
                heads,
                body,
            } => {
                let mut head = kw_text(kw.v).to_string();
                let mut header_end = kw.hi;
                if let Some(n) = name {
                    head.push(' ');
                    head.push_str(&if kw.v == DeclKw::Resource {
                        quote(&n.v)
                    } else {
                        word(&n.v)
                    });
                    header_end = header_end.max(n.hi);
                }
                if let Some(l) = label {
                    head.push(' ');
                    head.push_str(&quote(&l.v));
                    header_end = header_end.max(l.hi);
                }
                head.push_str(&heads_text(heads));
                header_end = heads.iter().map(|h| h.hi).fold(header_end, usize::max);
                let is_policy = matches!(
                    kw.v,
                    DeclKw::Scp | DeclKw::Rcp | DeclKw::Policy | DeclKw::Inline | DeclKw::Managed
                );
                match body {
                    Some(Body::Import(path)) => atomic(
                        self,
                        Node::Line(format!("{head} import {}", quote(&path.v))),
                    ),
                    Some(Body::Block(children)) if is_policy => {
                        let ty = policy_type(kw.v, parent);
                        self.policy_block(item, head, header_end, children, ty)
                    }
                    Some(Body::Block(children)) => {
                        let me = Some(kw.v);
                        self.block(item, head, header_end, |f, lo, hi, open| {
                            f.items(children, lo, hi, Some(open), me)
                        })
                    }
                    Some(Body::Statement(_)) | None => atomic(self, Node::Line(head)),
                }
            }
            Item::Trust(Body::Block(children)) => self.policy_block(
                item,
                "trust".to_string(),
                item.lo + "trust".len(),
                children,
                PolicyType::Trust,
            ),
            Item::Trust(Body::Import(path)) => {
                atomic(self, Node::Line(format!("trust import {}", quote(&path.v))))
            }
            Item::Trust(b @ Body::Statement(_)) => {
                let items = body_items(b);
                let policy = self.policy_of(&items, item.lo, PolicyType::Trust);
                let node = match policy.and_then(|p| p.statements.into_iter().next()) {
                    Some(s) => Node::Statement {
                        prefix: "trust ",
                        statement: Box::new(s.node),
                    },
                    None => Node::Line(String::new()),
                };
                atomic(self, node)
            }
            Item::Management(w) => atomic(self, Node::Line(format!("management {}", word(&w.v)))),
            Item::Attach { kind, names } => {
                let head = match kind {
                    Some(DeclKw::Scp) => "attach scp",
                    Some(DeclKw::Rcp) => "attach rcp",
                    _ => "attach",
                };
                atomic(
                    self,
                    Node::Repeat {
                        head: head.to_string(),
                        items: names.iter().map(|n| word(&n.v)).collect(),
                    },
                )
            }
            Item::Import { managed, path } => {
                let m = if *managed { "managed " } else { "" };
                atomic(self, Node::Line(format!("import {m}{}", quote(&path.v))))
            }
            Item::Mfa(names) => atomic(
                self,
                Node::Repeat {
                    head: "mfa".to_string(),
                    items: names.iter().map(|n| word(&n.v)).collect(),
                },
            ),
            Item::Boundary(w) => atomic(self, Node::Line(format!("boundary {}", word(&w.v)))),
            Item::Tags(pairs) => atomic(
                self,
                Node::Tags(
                    pairs
                        .iter()
                        .map(|(k, v)| (word(&k.v), quote(&v.v)))
                        .collect(),
                ),
            ),
            Item::MaxSession(w) => atomic(self, Node::Line(format!("max_session {}", word(&w.v)))),
            // Checked away before formatting: a policy item outside a policy, or an error.
            Item::Version(_) | Item::Id(_) | Item::Statement(_) | Item::Error => {
                atomic(self, Node::Line(String::new()))
            }
        }
    }

    /// Reads the policy items `items` (starting at `lo`) as a policy of type `ty`; reports its
    /// errors at the text.
    fn policy_of(&mut self, items: &[Sp<Item>], lo: usize, ty: PolicyType) -> Option<Policy> {
        let mut out = Out::default();
        let mut diags = Vec::new();
        policy_json(self.text, items, lo, &mut out, &mut diags);
        if !diags.is_empty() {
            self.diags.extend(diags);
            return None;
        }
        match parse_policy_with(&out.s, ty, ParseMode::Lenient) {
            Ok(p) => Some(p.value),
            Err(d) => {
                let text = self.text;
                self.diags
                    .extend(d.into_iter().map(|x| out.map_diag(text, x)));
                None
            }
        }
    }

    /// A declaration whose block is a policy.
    fn policy_block(
        &mut self,
        item: &Sp<Item>,
        head: String,
        header_end: usize,
        children: &[Sp<Item>],
        ty: PolicyType,
    ) -> (Node, Vec<String>) {
        let policy = self.policy_of(children, item.lo, ty);
        self.block(item, head, header_end, |f, lo, hi, open| match &policy {
            Some(p) => f.policy_items(children, lo, hi, Some(open), p),
            None => Region {
                body: Vec::new(),
                open: None,
                end: Vec::new(),
            },
        })
    }

    /// The items of a policy: the header from the model, then each statement of the text
    /// written from the model's statement, with its comments.
    fn policy_items(
        &mut self,
        items: &[Sp<Item>],
        lo: usize,
        hi: usize,
        open: Option<usize>,
        policy: &Policy,
    ) -> Region {
        let mut statements = policy.statements.iter().map(|s| &s.node);
        let mut r = self.region(items, lo, hi, open, |f, item| match &item.v {
            Item::Statement(_) => {
                let s: Option<&Statement> = statements.next();
                s.map(|s| {
                    (
                        Node::Statement {
                            prefix: "",
                            statement: Box::new(s.clone()),
                        },
                        f.moved(item.lo, item.hi),
                    )
                })
            }
            // The header is written from the model, first.
            _ => None,
        });
        let header: Vec<Entry> = policy_header(policy)
            .into_iter()
            .map(|l| Entry::new(Node::Line(l)))
            .collect();
        if !header.is_empty() {
            // Comments waiting for a statement that never came stay at the end.
            r.body.splice(0..0, header);
        }
        r
    }
}
