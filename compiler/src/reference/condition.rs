//! Condition evaluation (spec §4). TEMPORARY STUB.
use crate::model::{ConditionClause, Node};
use gavel_runtime::{Context, ContextValue};

/// The single value of a key.
pub fn variable_value(ctx: &Context, key: &str) -> Option<String> {
    match ctx.get(key) { Some(ContextValue::Single(s)) => Some(s.clone()), _ => None }
}

/// AND of clauses.
pub fn eval_condition(clauses: &[Node<ConditionClause>], _ctx: &Context) -> bool {
    clauses.is_empty()
}
