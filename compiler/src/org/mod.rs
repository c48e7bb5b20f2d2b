//! The organization model (accounts, users, groups, roles, the OU tree with SCPs and RCPs,
//! managed policies, resources), its loaders, and what the reference interpreter needs from
//! it to decide requests that name a principal by ARN.

pub mod load;
pub mod model;

pub use model::{
    Account, Group, InlinePolicy, ManagedPolicy, OrgPolicy, OrgUnit, Organization, Resource, Role,
    Tags, User,
};
