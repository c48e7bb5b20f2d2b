//! Facts about individual AWS services that change decisions (spec §1.3). They are data, not
//! policy-language rules, and both evaluators read them from here.

/// Service prefixes whose resources RCPs govern, from the `rcp_supported` flags of the AWS
/// service reference (`../shared/corpus/aws-service-reference.json`, iam-data 0.21.202609261).
pub const RCP_SUPPORTED_SERVICES: &[&str] = &[
    "aoss",
    "appconfig",
    "appstream",
    "autoscaling",
    "autoscaling-plans",
    "budgets",
    "clouddirectory",
    "cloudfront",
    "cloudsearch",
    "cloudtrail-data",
    "codeartifact",
    "codebuild",
    "codecommit",
    "codepipeline",
    "cognito-identity",
    "cognito-idp",
    "comprehend",
    "comprehendmedical",
    "compute-optimizer",
    "cost-optimization-hub",
    "dax",
    "dsql",
    "dynamodb",
    "ecr",
    "ecr-public",
    "events",
    "firehose",
    "fis",
    "fms",
    "gamelift",
    "health",
    "inspector-scan",
    "kendra",
    "kinesisvideo",
    "kms",
    "logs",
    "memorydb",
    "networkmonitor",
    "notifications",
    "opensearch",
    "pca-connector-ad",
    "personalize",
    "polly",
    "pricing",
    "resource-groups",
    "rolesanywhere",
    "s3",
    "secretsmanager",
    "servicediscovery",
    "signin",
    "sqs",
    "sts",
    "support",
    "swf",
    "textract",
    "timestream-influxdb",
    "transcribe",
    "transfer",
    "translate",
    "wafv2",
    "workspaces",
    "xray",
];

/// Actions that assume a role: their resource policy is the role's trust policy (spec §6.9).
pub const ROLE_ASSUMPTION_ACTIONS: &[&str] = &[
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
];

/// S3 actions the bucket owner's root user may perform whatever the bucket policy denies
/// (spec §6.2 item 2).
pub const BUCKET_POLICY_ACTIONS: &[&str] = &[
    "s3:getbucketpolicy",
    "s3:putbucketpolicy",
    "s3:deletebucketpolicy",
];

/// Actions of the root user that SCPs cannot restrict (spec §6.3, the SCP page's list of
/// tasks). Keyed by lower-cased action; they apply only to the root user.
pub const SCP_EXEMPT_ROOT_ACTIONS: &[&str] = &[
    "support:createcase",
    "aws-portal:modifyaccount",
    "cloudfront:createcloudfrontoriginaccessidentity",
];

/// The service prefix of an action (`s3` of `s3:GetObject`), lower-cased by the caller.
pub fn service_of(action: &str) -> &str {
    crate::principal::split_colon(action).map_or(action, |(s, _)| s)
}

/// True when RCPs govern resources of this (lower-case) action's service.
pub fn rcp_supported(action_lower: &str) -> bool {
    RCP_SUPPORTED_SERVICES.contains(&service_of(action_lower))
}

/// True for role-assumption actions (lower-case).
pub fn is_role_assumption(action_lower: &str) -> bool {
    ROLE_ASSUMPTION_ACTIONS.contains(&action_lower)
}

/// True when the resource is an IAM role ARN.
pub fn is_role_arn(resource: &str) -> bool {
    matches!(crate::principal::split_arn(resource), Some([_, _, "iam", _, _, r]) if r.starts_with("role/"))
}

/// True when the resource is a KMS key ARN (`…:key/…`).
pub fn is_kms_key_arn(resource: &str) -> bool {
    matches!(crate::principal::split_arn(resource), Some([_, _, "kms", _, _, r]) if r.starts_with("key/"))
}

/// True when the service requires its resource policy to allow the principal (spec §1.3):
/// role trust policies for role-assumption actions on a role, KMS key policies.
pub fn needs_resource_policy(action_lower: &str, resource: &str) -> bool {
    (is_role_assumption(action_lower) && is_role_arn(resource))
        || (service_of(action_lower) == "kms" && is_kms_key_arn(resource))
}
