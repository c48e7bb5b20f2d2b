//! The organization model: what a compiled file holds (DESIGN.md, "The organization model").

use crate::model::Policy;
use std::collections::BTreeMap;

/// A policy document attached inline (to a user, group or role), with its name.
#[derive(Clone, Debug, PartialEq)]
pub struct InlinePolicy {
    /// The inline policy's name.
    pub name: String,
    /// The document.
    pub policy: Policy,
}

/// A managed policy (AWS managed or customer managed) with its versions.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagedPolicy {
    /// `arn:aws:iam::aws:policy/NAME` or `arn:aws:iam::ACCT:policy/PATH/NAME`.
    pub arn: String,
    /// The policy name.
    pub name: String,
    /// The policy path.
    pub path: String,
    /// The version in force (`v3`).
    pub default_version: String,
    /// Every known version: id and document. The default version is among them.
    pub versions: Vec<(String, Policy)>,
}

impl ManagedPolicy {
    /// The document of the default version.
    pub fn document(&self) -> Option<&Policy> {
        self.versions
            .iter()
            .find(|(id, _)| *id == self.default_version)
            .map(|(_, p)| p)
    }

    /// True for AWS managed policies (`arn:…:iam::aws:policy/…`).
    pub fn is_aws_managed(&self) -> bool {
        self.arn.contains(":iam::aws:policy/")
    }
}

/// Tags as key/value pairs in the order given. Keys are unique case-insensitively.
pub type Tags = Vec<(String, String)>;

/// An IAM user.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct User {
    /// The user name.
    pub name: String,
    /// The path (`/` or `/division/`).
    pub path: String,
    /// `arn:aws:iam::ACCT:user/PATH/NAME`.
    pub arn: String,
    /// The unique id (`AIDA…`).
    pub unique_id: String,
    /// Tags.
    pub tags: Tags,
    /// Names of the groups the user belongs to.
    pub groups: Vec<String>,
    /// Inline policies.
    pub inline: Vec<InlinePolicy>,
    /// ARNs of attached managed policies.
    pub managed: Vec<String>,
    /// ARN of the managed policy set as permissions boundary.
    pub boundary: Option<String>,
    /// True when the user signs in with MFA (used by the example organization's requests).
    pub mfa_enabled: bool,
}

/// An IAM group: holds users only (no nesting).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Group {
    /// The group name.
    pub name: String,
    /// The path.
    pub path: String,
    /// `arn:aws:iam::ACCT:group/PATH/NAME`.
    pub arn: String,
    /// The unique id (`AGPA…`).
    pub unique_id: String,
    /// Inline policies.
    pub inline: Vec<InlinePolicy>,
    /// ARNs of attached managed policies.
    pub managed: Vec<String>,
}

/// An IAM role.
#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    /// The role name.
    pub name: String,
    /// The path; `/aws-service-role/…` marks a service-linked role.
    pub path: String,
    /// `arn:aws:iam::ACCT:role/PATH/NAME`.
    pub arn: String,
    /// The unique id (`AROA…`).
    pub unique_id: String,
    /// The trust policy.
    pub trust: Policy,
    /// Inline policies.
    pub inline: Vec<InlinePolicy>,
    /// ARNs of attached managed policies.
    pub managed: Vec<String>,
    /// ARN of the permissions boundary.
    pub boundary: Option<String>,
    /// Tags.
    pub tags: Tags,
    /// Maximum session duration in seconds (3600 to 43200).
    pub max_session_duration: u32,
}

impl Role {
    /// True for service-linked roles, whose path starts with `/aws-service-role/`.
    pub fn is_service_linked(&self) -> bool {
        self.path.starts_with("/aws-service-role/")
    }
}

/// A resource that carries a resource-based policy (or tags that conditions read).
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// The resource ARN (a bucket's ARN governs its objects too).
    pub arn: String,
    /// The owning account.
    pub account: String,
    /// Tags (`aws:ResourceTag/…`).
    pub tags: Tags,
    /// The resource-based policy, if any.
    pub policy: Option<Policy>,
}

/// One AWS account.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Account {
    /// The 12-digit id.
    pub id: String,
    /// A friendly name.
    pub name: String,
    /// The OU (or root) it sits under; `None` for an account outside the organization.
    pub parent: Option<String>,
    /// SCP attachments (managed SCP names or ids, resolved against the organization's policies).
    pub scps: Vec<String>,
    /// RCP attachments.
    pub rcps: Vec<String>,
    /// Users by name.
    pub users: BTreeMap<String, User>,
    /// Groups by name.
    pub groups: BTreeMap<String, Group>,
    /// Roles by name.
    pub roles: BTreeMap<String, Role>,
}

/// An organizational unit, or the organization root (`parent == None`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct OrgUnit {
    /// `r-…` for the root, `ou-…` for OUs.
    pub id: String,
    /// A friendly name.
    pub name: String,
    /// The parent OU's id; `None` for the root.
    pub parent: Option<String>,
    /// SCP attachments.
    pub scps: Vec<String>,
    /// RCP attachments.
    pub rcps: Vec<String>,
}

/// A service or resource control policy of the organization.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgPolicy {
    /// The name attachments use (`FullAWSAccess`, `DenyLeaveOrg`).
    pub name: String,
    /// The document.
    pub policy: Policy,
}

/// A whole organization: the tree, its accounts, managed policies, and resources.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Organization {
    /// The organization id (`o-…`); `None` when only standalone accounts are modelled.
    pub id: Option<String>,
    /// The management account id.
    pub management_account: Option<String>,
    /// The root and OUs by id.
    pub units: BTreeMap<String, OrgUnit>,
    /// SCPs by name.
    pub scps: BTreeMap<String, OrgPolicy>,
    /// RCPs by name (`RCPFullAWSAccess` is implicit at every level).
    pub rcps: BTreeMap<String, OrgPolicy>,
    /// Accounts by id.
    pub accounts: BTreeMap<String, Account>,
    /// Managed policies by ARN (AWS managed and customer managed).
    pub managed_policies: BTreeMap<String, ManagedPolicy>,
    /// Resources with policies or tags, by ARN.
    pub resources: BTreeMap<String, Resource>,
}
