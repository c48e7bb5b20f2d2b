//! The concrete syntax tree the grammar builds: every piece keeps its byte span.

/// A value with the byte span it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Sp<T> {
    /// The value.
    pub v: T,
    /// Start byte.
    pub lo: usize,
    /// End byte.
    pub hi: usize,
}

impl<T> Sp<T> {
    /// Wraps a value with its span.
    pub fn new(lo: usize, v: T, hi: usize) -> Sp<T> {
        Sp { v, lo, hi }
    }
}

/// `allow` or `deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffectKw {
    /// `allow`.
    Allow,
    /// `deny`.
    Deny,
}

/// One condition value as written.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A quoted string.
    Str(String),
    /// A number, as written.
    Number(String),
    /// `true` / `false`.
    Bool(bool),
}

impl Value {
    /// The value's text.
    pub fn text(&self) -> String {
        match self {
            Value::Str(s) | Value::Number(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
        }
    }
}

/// One condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    /// `KEY [any|all] OP VALUES [if exists]`.
    Infix {
        /// The key.
        key: Sp<String>,
        /// The operator words (one or two).
        op: Vec<Sp<String>>,
        /// The values.
        values: Vec<Sp<Value>>,
        /// `if exists`, with the span of `exists`-word.
        if_exists: Option<Sp<String>>,
    },
    /// `KEY is [not] WORD [if exists]`.
    Is {
        /// The key.
        key: Sp<String>,
        /// `not` given.
        not: bool,
        /// `true`, `false` or `null`.
        word: Sp<String>,
        /// `if exists`.
        if_exists: Option<Sp<String>>,
    },
    /// `"AwsOperatorName" KEY VALUES`.
    Verbatim {
        /// The operator as written.
        op: Sp<String>,
        /// The key.
        key: Sp<String>,
        /// The values.
        values: Vec<Sp<Value>>,
    },
}

/// One clause after the actions.
#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    /// `on [not] RESOURCES`.
    On {
        /// `not` given.
        not: bool,
        /// The resources.
        items: Vec<Sp<String>>,
    },
    /// `for [not] *` or `for [not] KIND VALUES, …`.
    For {
        /// `not` given.
        not: bool,
        /// The bare `*`.
        star: bool,
        /// `(kind, values)` pairs.
        entries: Vec<(Sp<String>, Vec<Sp<Value>>)>,
    },
    /// `when C and C …`.
    When(Vec<Cond>),
}

/// One statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// `sid "…"`.
    pub sid: Option<Sp<String>>,
    /// The effect keyword.
    pub effect: Sp<EffectKw>,
    /// `not` before the actions.
    pub not_actions: bool,
    /// The actions.
    pub actions: Vec<Sp<String>>,
    /// The clauses, in order.
    pub clauses: Vec<Sp<Clause>>,
}

/// A policy body: a block of items, or a JSON file to import.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// `{ … }`.
    Block(Vec<Sp<Item>>),
    /// `import "file.json"`.
    Import(Sp<String>),
    /// One statement (`trust allow …`).
    Statement(Box<Statement>),
}

/// A qualifier after a declaration's name.
#[derive(Clone, Debug, PartialEq)]
pub enum Head {
    /// `id WORD`.
    Id(Sp<String>),
    /// `unique_id WORD`.
    UniqueId(Sp<String>),
    /// `path "…"`.
    Path(Sp<String>),
    /// `in A, B`.
    In(Vec<Sp<String>>),
    /// `outside`.
    Outside,
    /// `arn WORD`: an ARN that is not the one derived from the account, path and name.
    Arn(Sp<String>),
    /// `version WORD`: a managed policy's version id (`v2`).
    Version(Sp<String>),
    /// `default`: this version of a managed policy is the one in force.
    Default,
}

/// The declaration keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclKw {
    /// `organization`.
    Organization,
    /// `root`.
    Root,
    /// `ou`.
    Ou,
    /// `account`.
    Account,
    /// `scp` (a definition).
    Scp,
    /// `rcp` (a definition).
    Rcp,
    /// `user`.
    User,
    /// `group`.
    Group,
    /// `role`.
    Role,
    /// `policy`.
    Policy,
    /// `inline`.
    Inline,
    /// `resource`.
    Resource,
    /// `managed` (a managed policy defined by ARN, at the top of an organization file).
    Managed,
}

/// One item of a file or block.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `version WORD`.
    Version(Sp<String>),
    /// `id WORD` (a policy's `Id`).
    Id(Sp<String>),
    /// A statement.
    Statement(Box<Statement>),
    /// `KW NAME [LABEL] HEAD* [BODY]`.
    Decl {
        /// The keyword.
        kw: Sp<DeclKw>,
        /// The name.
        name: Option<Sp<String>>,
        /// A quoted label after the name (an account's friendly name).
        label: Option<Sp<String>>,
        /// Qualifiers.
        heads: Vec<Sp<Head>>,
        /// The body.
        body: Option<Body>,
    },
    /// `trust BODY`.
    Trust(Body),
    /// `management WORD`.
    Management(Sp<String>),
    /// `attach [scp|rcp] A, B`.
    Attach {
        /// `scp`/`rcp`, or neither (managed policies).
        kind: Option<DeclKw>,
        /// The names.
        names: Vec<Sp<String>>,
    },
    /// `import [managed] "file"`.
    Import {
        /// `managed` given.
        managed: bool,
        /// The file.
        path: Sp<String>,
    },
    /// `mfa [A, B]`.
    Mfa(Vec<Sp<String>>),
    /// `boundary WORD`.
    Boundary(Sp<String>),
    /// `tags { k = "v", … }`.
    Tags(Vec<(Sp<String>, Sp<String>)>),
    /// `max_session N`.
    MaxSession(Sp<String>),
    /// A piece the parser skipped after an error.
    Error,
}

impl Item {
    /// Sets a declaration's label.
    pub(crate) fn with_label(self, label: Option<Sp<String>>) -> Item {
        match self {
            Item::Decl {
                kw,
                name,
                heads,
                body,
                ..
            } => Item::Decl {
                kw,
                name,
                label,
                heads,
                body,
            },
            other => other,
        }
    }
}
