//! The canonical layout shared by the printers (`org_to_text` from the model, `gavel fmt`
//! from the text): a tree of lines, statements and blocks, with the comments kept by the
//! formatter, rendered with one indentation, line-breaking and blank-line rule.
//!
//! * Blocks indent their items by two spaces; an empty block is `head {}`, and a block whose
//!   only item fits on the same line is written `head { item }`.
//! * Two items are separated by a blank line when either takes several lines or is a
//!   statement; one-line items (`attach`, `mfa`, `tags`, …) stay together.
//! * A list that does not fit in [`WIDTH`] columns is broken: `attach` and `mfa` into one
//!   line per item, `tags` into one pair per line.

use crate::model::Statement;
use crate::text::lexer::{Lexer, Token};
use crate::text::printer::{WIDTH, quote, write_statement};

/// A piece of the layout.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    /// One line.
    Line(String),
    /// `head a, b, c` when it fits, else one `head x` line per item.
    Repeat {
        /// `attach`, `attach scp`, `mfa`.
        head: String,
        /// The items, already written as words.
        items: Vec<String>,
    },
    /// `tags { k = "v", … }`: keys and values already written.
    Tags(Vec<(String, String)>),
    /// A policy statement, after `prefix` (`""`, or `"trust "` for a one-statement trust).
    Statement {
        /// Written before the statement's first line.
        prefix: &'static str,
        /// The statement.
        statement: Box<Statement>,
    },
    /// `head { … }`.
    Block {
        /// Everything before `{`.
        head: String,
        /// A comment after `{` on the same line.
        open_comment: Option<String>,
        /// The items.
        body: Vec<Entry>,
        /// Comments after the last item, before `}`.
        end: Vec<String>,
    },
}

/// An item with the comments attached to it.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// Comments on the lines before it (`""`: a blank line).
    pub(crate) lead: Vec<String>,
    /// The item.
    pub(crate) node: Node,
    /// A comment after it, on its last line.
    pub(crate) trail: Option<String>,
}

impl Entry {
    /// An item without comments.
    pub(crate) fn new(node: Node) -> Entry {
        Entry {
            lead: Vec::new(),
            node,
            trail: None,
        }
    }
}

impl Node {
    /// A block without comments.
    pub(crate) fn block(head: impl Into<String>, body: Vec<Entry>) -> Node {
        Node::Block {
            head: head.into(),
            open_comment: None,
            body,
            end: Vec::new(),
        }
    }
}

/// A name: bare when it reads back as one word or number (`Developers`, `111122223333`,
/// `v2`), quoted otherwise (keywords, ARNs, names with spaces).
pub(crate) fn word(s: &str) -> String {
    let mut lx = Lexer::new(s);
    let bare = match (lx.next(), lx.next()) {
        (Some(Ok((0, Token::Ident(_) | Token::Number(_), end))), None) => end == s.len(),
        _ => false,
    };
    if bare { s.to_string() } else { quote(s) }
}

/// Renders a file: its items at the left margin, each line ending with a newline.
pub(crate) fn render(entries: &[Entry]) -> String {
    let mut out = String::new();
    render_entries(entries, 0, &mut out);
    out
}

fn render_entries(entries: &[Entry], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    let mut previous_wide: Option<bool> = None;
    for e in entries {
        let text = render_node(&e.node, indent);
        let wide = text.contains('\n') || matches!(e.node, Node::Statement { .. });
        if previous_wide.is_some_and(|p| p || wide) {
            out.push('\n');
        }
        for c in &e.lead {
            if !c.is_empty() {
                out.push_str(&pad);
                out.push_str(c);
            }
            out.push('\n');
        }
        out.push_str(&text);
        if let Some(t) = &e.trail {
            out.push_str("  ");
            out.push_str(t);
        }
        out.push('\n');
        previous_wide = Some(wide);
    }
}

/// The node's lines, indented, without the final newline.
fn render_node(node: &Node, indent: usize) -> String {
    let pad = " ".repeat(indent);
    match node {
        Node::Line(s) => format!("{pad}{s}"),
        Node::Repeat { head, items } => {
            let one = format!("{pad}{head} {}", items.join(", "));
            if one.chars().count() <= WIDTH || items.len() < 2 {
                one
            } else {
                items
                    .iter()
                    .map(|i| format!("{pad}{head} {i}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }
        Node::Tags(pairs) => {
            let parts: Vec<String> = pairs.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            let one = format!("{pad}tags {{ {} }}", parts.join(", "));
            if pairs.is_empty() {
                format!("{pad}tags {{}}")
            } else if one.chars().count() <= WIDTH || parts.len() < 2 {
                one
            } else {
                let mut s = format!("{pad}tags {{\n");
                for p in parts {
                    s.push_str(&format!("{pad}  {p},\n"));
                }
                s.push_str(&format!("{pad}}}"));
                s
            }
        }
        Node::Statement { prefix, statement } => {
            let mut s = String::new();
            write_statement(statement, indent, &mut s);
            if s.ends_with('\n') {
                s.pop();
            }
            if !prefix.is_empty() {
                s.insert_str(indent.min(s.len()), prefix);
            }
            s
        }
        Node::Block {
            head,
            open_comment,
            body,
            end,
        } => {
            if body.is_empty() && end.is_empty() && open_comment.is_none() {
                return format!("{pad}{head} {{}}");
            }
            if let ([only], true, None) = (body.as_slice(), end.is_empty(), open_comment)
                && only.lead.is_empty()
                && only.trail.is_none()
                && !matches!(only.node, Node::Statement { .. })
            {
                let inner = render_node(&only.node, indent + 2);
                if !inner.contains('\n') {
                    let one = format!("{pad}{head} {{ {} }}", inner.trim_start());
                    if one.chars().count() <= WIDTH {
                        return one;
                    }
                }
            }
            let mut s = format!("{pad}{head} {{");
            if let Some(c) = open_comment {
                s.push_str("  ");
                s.push_str(c);
            }
            s.push('\n');
            render_entries(body, indent + 2, &mut s);
            let inner_pad = " ".repeat(indent + 2);
            for c in end {
                if !c.is_empty() {
                    s.push_str(&inner_pad);
                    s.push_str(c);
                }
                s.push('\n');
            }
            s.push_str(&pad);
            s.push('}');
            s
        }
    }
}
