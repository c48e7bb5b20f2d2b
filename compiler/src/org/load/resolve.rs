//! Managed-policy resolution: every attachment and permissions boundary of an account is
//! looked up in the account's own `Policies` first, then in the user-supplied
//! [`PolicyCatalog`]. What resolves goes into [`Organization::managed_policies`].
//!
//! An attachment that resolves nowhere is an error naming who attaches it, unless
//! [`MissingPolicy::Drop`] is chosen. A missing permissions **boundary** is always an error:
//! dropping a boundary would give the principal more permissions than it has in AWS.

use super::authz::{AccountDump, Attachment, Holder};
use super::catalog::PolicyCatalog;
use super::error::{LoadError, Loaded, Problem, ProblemKind, Sink};
use super::{LoadOptions, MissingPolicy};
use crate::org::model::{Account, ManagedPolicy, Organization};
use std::collections::BTreeMap;

/// Collects the managed policies that accounts use, from their own definitions and the
/// catalog.
pub(crate) struct Resolver<'a> {
    catalog: &'a PolicyCatalog,
    options: &'a LoadOptions,
    /// Resolved policies by ARN, with the file they came from.
    pub(crate) used: BTreeMap<String, (ManagedPolicy, String)>,
    /// The catalog files, for messages.
    pub(crate) catalog_files: Vec<String>,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(catalog: &'a PolicyCatalog, options: &'a LoadOptions) -> Resolver<'a> {
        Resolver {
            catalog,
            options,
            used: BTreeMap::new(),
            catalog_files: Vec::new(),
        }
    }

    /// Adds an account's own managed policies (all of them, attached or not).
    pub(crate) fn add_own(
        &mut self,
        sink: &mut Sink,
        own: &BTreeMap<String, ManagedPolicy>,
        source: &str,
    ) {
        for (arn, p) in own {
            match self.used.get(arn) {
                None => {
                    self.used
                        .insert(arn.clone(), (p.clone(), source.to_string()));
                }
                Some((first, first_source)) => {
                    if first.document() != p.document() {
                        sink.push(
                            Problem::warning(
                                ProblemKind::Conflict,
                                source,
                                "Policies",
                                None,
                                format!(
                                    "the managed policy `{arn}` differs from the one in `{first_source}`; the first one read is used for every account"
                                ),
                            )
                            .with_help("dumps taken at different times can hold different versions of an AWS managed policy; take them at the same time"),
                        );
                    }
                }
            }
        }
    }

    /// Resolves the attachments of one account: `own` first, then the catalog. Unresolved
    /// attachments are errors, or (with [`MissingPolicy::Drop`], never for boundaries) are
    /// removed from the account with a warning.
    pub(crate) fn resolve(
        &mut self,
        sink: &mut Sink,
        account: &mut Account,
        own: &BTreeMap<String, ManagedPolicy>,
        attachments: &[Attachment],
    ) {
        for a in attachments {
            if own.contains_key(&a.arn) || self.used.contains_key(&a.arn) {
                continue;
            }
            if let Some(p) = self.catalog.get(&a.arn) {
                let source = self.catalog.source(&a.arn).unwrap_or("").to_string();
                self.used.insert(a.arn.clone(), (p.clone(), source));
                continue;
            }
            let looked = if self.catalog_files.is_empty() {
                "the dump's `Policies` (no managed-policy file was given)".to_string()
            } else {
                format!(
                    "the dump's `Policies` and {}",
                    self.catalog_files
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            if a.boundary {
                sink.push(
                    Problem::error(
                        ProblemKind::UnknownBoundary,
                        &a.file,
                        &a.path,
                        a.loc,
                        format!(
                            "the permissions boundary `{}` of {} is not defined in {looked}",
                            a.arn, a.holder
                        ),
                    )
                    .with_help("add the policy to a managed-policy file; a boundary is never dropped, because without it the principal would have more permissions than in AWS"),
                );
                continue;
            }
            match self.options.missing_policy {
                MissingPolicy::Error => sink.push(
                    Problem::error(
                        ProblemKind::UnknownPolicy,
                        &a.file,
                        &a.path,
                        a.loc,
                        format!(
                            "the managed policy `{}` attached to {} is not defined in {looked}",
                            a.arn, a.holder
                        ),
                    )
                    .with_help("add the policy to a managed-policy file (AWS managed policies: the corpus `aws-managed-policies.jsonl`), or choose `MissingPolicy::Drop` to drop such attachments"),
                ),
                MissingPolicy::Drop => {
                    drop_attachment(account, a);
                    sink.push(
                        Problem::warning(
                            ProblemKind::DroppedAttachment,
                            &a.file,
                            &a.path,
                            a.loc,
                            format!(
                                "the managed policy `{}` attached to {} is defined nowhere; the attachment is dropped",
                                a.arn, a.holder
                            ),
                        )
                        .with_help("the principal loses what the policy allowed, and also what it denied: if the policy had `Deny` statements, the result is more permissive than AWS"),
                    );
                }
            }
        }
    }

    /// The resolved policies, for [`Organization::managed_policies`].
    pub(crate) fn into_policies(self) -> BTreeMap<String, ManagedPolicy> {
        self.used.into_iter().map(|(k, (p, _))| (k, p)).collect()
    }
}

fn drop_attachment(account: &mut Account, a: &Attachment) {
    let list = match &a.holder {
        Holder::User(n) => account.users.get_mut(n).map(|u| &mut u.managed),
        Holder::Group(n) => account.groups.get_mut(n).map(|g| &mut g.managed),
        Holder::Role(n) => account.roles.get_mut(n).map(|r| &mut r.managed),
    };
    if let Some(list) = list {
        list.retain(|arn| *arn != a.arn);
    }
}

/// Builds an organization of standalone accounts (no OU tree: `id`, `management_account` and
/// `units` stay empty, every account's `parent` is `None`) from authorization-details dumps,
/// resolving their attachments against each dump's own `Policies` and then `catalog`.
///
/// Two dumps of the same account are an error. The dumps' warnings come first in the result.
pub fn organization_from_dumps(
    dumps: Vec<AccountDump>,
    catalog: &PolicyCatalog,
    catalog_files: &[String],
    options: &LoadOptions,
) -> Result<Loaded<Organization>, LoadError> {
    let mut sink = Sink::default();
    let mut org = Organization::default();
    let mut resolver = Resolver::new(catalog, options);
    resolver.catalog_files = catalog_files.to_vec();
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for dump in &dumps {
        sink.extend(dump.warnings.iter().cloned());
    }
    for dump in &dumps {
        resolver.add_own(&mut sink, &dump.policies, &dump.file);
    }
    for mut dump in dumps {
        let id = dump.account.id.clone();
        if let Some(first) = files.get(&id) {
            sink.push(Problem::error(
                ProblemKind::Duplicate,
                &dump.file,
                "",
                None,
                format!("account `{id}` is also described by `{first}`; give one dump per account"),
            ));
            continue;
        }
        files.insert(id.clone(), dump.file.clone());
        resolver.resolve(
            &mut sink,
            &mut dump.account,
            &dump.policies,
            &dump.attachments,
        );
        org.accounts.insert(id, dump.account);
    }
    org.managed_policies = resolver.into_policies();
    sink.finish(org)
}
