//! Gavel's compiler crate: the IAM policy model, its front ends, the reference interpreter
//! (the executable spec), and the `gavel` command line.
//!
//! Deciding one request against an explicit policy set:
//!
//! ```
//! use gavel_compiler::json::parse_policy;
//! use gavel_compiler::model::PolicyType;
//! use gavel_compiler::reference::{decide, NamedPolicy, Options, PolicySet};
//! use gavel_runtime::{Context, Decision, Principal, Request};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
//! let policy = parse_policy(doc, PolicyType::Identity)?.value;
//! let set = PolicySet { identity: vec![NamedPolicy { name: "p".into(), policy }], ..Default::default() };
//! let request = Request {
//!     principal: Principal::parse("arn:aws:iam::111122223333:user/alice")?,
//!     action: "s3:GetObject".into(),
//!     resource: "arn:aws:s3:::b/k".into(),
//!     resource_account: Some("111122223333".into()),
//!     context: Context::new(),
//!     session: None,
//!     time: None,
//! };
//! let answer = decide(&set, &request, &Options::default());
//! assert_eq!(answer.decision, Decision::Allow);
//! assert_eq!(answer.statements[0].policy, "p");
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

pub mod agreement;
pub mod casegen;
pub mod cli;
pub mod conformance;
pub mod diagnostics;
pub mod json;
pub mod lower;
pub mod model;
pub mod org;
pub mod reference;
pub mod text;
pub mod workload;
