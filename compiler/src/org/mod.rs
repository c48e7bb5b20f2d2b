//! The organization model (accounts, users, groups, roles, the OU tree with SCPs and RCPs,
//! managed policies, resources), its loaders, and what the reference interpreter needs from
//! it to decide requests that name a principal by ARN.

pub mod load;
pub mod model;

pub use model::{
    Account, Group, InlinePolicy, ManagedPolicy, OrgPolicy, OrgUnit, Organization, Resource, Role,
    Tags, User,
};
pub mod resolve;
pub mod session;
pub mod sts;
pub use resolve::{OrgRequest, ResolveError, Resolved, resolve};
pub use session::{Session, SessionKind};
pub use sts::{AssumeKind, AssumeRoleError, AssumeRoleInput, assume_role};
