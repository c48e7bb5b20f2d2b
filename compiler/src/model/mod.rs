//! The IAM policy model (AST) shared by every front end and both evaluators (spec §2).
//!
//! Front ends normalize the JSON's one-or-many shapes into lists and parse every literal
//! (patterns, policy variables, condition values) here, once, so evaluators never re-parse.

pub mod loc;
pub mod operator;
pub mod pattern;
pub mod policy;
pub mod value;

pub use loc::{Loc, Node};
pub use operator::{BaseOp, Family, Operator, SetOp};
pub use pattern::{ActionPattern, Part, Template};
pub use policy::{
    Actions, ConditionClause, Effect, Policy, PolicyType, PrincipalEntry, PrincipalType,
    Principals, Resources, Statement, Version,
};
pub use value::{CondValue, Decimal, Instant};
