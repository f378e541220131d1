# Explicit denies. An explicit Deny wins over every Allow, so these hold even if a
# later edit widens an Allow in deploy_*.tf: tests/policy.test.ts proves each one.

# Attached to the plan and apply roles of every environment. ReadOnlyAccess grants
# reads of data as well as of configuration; Terraform needs only the latter, and
# only its own environment's state (a state holds every attribute, secrets included).
data "aws_iam_policy_document" "no_data_reads" {
  for_each = local.environments

  statement {
    sid    = "NoObjectReadsOutsideOwnState"
    effect = "Deny"
    actions = [
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:GetObjectTorrent",
      "s3:GetObjectVersionTorrent",
    ]
    not_resources = ["${aws_s3_bucket.state.arn}/${var.project}/${each.key}/*"]
  }

  statement {
    sid    = "NoItemsMessagesSecretsOrLogEvents"
    effect = "Deny"
    actions = [
      "dynamodb:BatchGetItem",
      "dynamodb:GetItem",
      "dynamodb:GetRecords",
      "dynamodb:PartiQLSelect",
      "dynamodb:Query",
      "dynamodb:Scan",
      "logs:FilterLogEvents",
      "logs:GetLogEvents",
      "logs:GetLogRecord",
      "logs:GetQueryResults",
      "logs:StartLiveTail",
      "logs:StartQuery",
      "rds:DownloadCompleteDBLogFile",
      "rds:DownloadDBLogFilePortion",
      "secretsmanager:BatchGetSecretValue",
      "secretsmanager:GetSecretValue",
      "sqs:ReceiveMessage",
      # An execution's input and output are the pipeline's data.
      "states:DescribeExecution",
      "states:GetExecutionHistory",
    ]
    resources = ["*"]
  }

  statement {
    # AWS's public parameters are no one's data: the bastion's AMI id is read from one.
    sid    = "NoParameterValuesButAwsPublicOnes"
    effect = "Deny"
    actions = [
      "ssm:GetParameter",
      "ssm:GetParameterHistory",
      "ssm:GetParameters",
      "ssm:GetParametersByPath",
    ]
    not_resources = ["arn:${local.partition}:ssm:${var.region}::parameter/aws/service/*"]
  }
}

# Whatever an Allow says, nothing tagged for another environment (the default_tags of
# environments/common tag every resource Environment = <env>): in the apply role's
# guardrails and in the workload boundary alike.
data "aws_iam_policy_document" "no_other_environments" {
  for_each = local.environments

  statement {
    sid       = "NoOtherEnvironmentsResources"
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]

    condition {
      test     = "StringNotEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key, "shared"]
    }

    condition {
      test     = "Null"
      variable = "aws:ResourceTag/Environment"
      values   = ["false"]
    }
  }
}

# Apply role only: what no Allow may ever reach.
data "aws_iam_policy_document" "apply_guardrails" {
  for_each = local.environments

  source_policy_documents = [data.aws_iam_policy_document.no_other_environments[each.key].json]

  statement {
    # The plan/apply roles, the deploy policies and the OIDC provider are the
    # bootstrap's: an apply role that could change them could make itself administrator.
    sid    = "NoChangesToTheDeployRoles"
    effect = "Deny"
    actions = [
      "iam:Add*",
      "iam:Attach*",
      "iam:Create*",
      "iam:Delete*",
      "iam:Detach*",
      "iam:PassRole",
      "iam:Put*",
      "iam:Remove*",
      "iam:SetDefaultPolicyVersion",
      "iam:Tag*",
      "iam:Untag*",
      "iam:Update*",
    ]
    resources = [
      "${local.arn.iam}:role/terraform-plan-*",
      "${local.arn.iam}:role/terraform-apply-*",
      "${local.arn.iam}:policy/terraform-deploy-*",
      "${local.arn.iam}:policy/${local.workload_boundary_prefix}*",
      "${local.arn.iam}:policy/${local.operator_policy_prefix}*",
      "${local.arn.iam}:oidc-provider/*",
    ]
  }

  statement {
    # Without its boundary a workload role is capped by nothing.
    sid       = "NoRemovingBoundaries"
    effect    = "Deny"
    actions   = ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"]
    resources = ["*"]
  }

  statement {
    # A role may be created, get a boundary, or get policies only with this
    # environment's boundary: a missing key (no boundary) counts as "not equal".
    sid    = "NoRolesWithoutThisEnvironmentsBoundary"
    effect = "Deny"
    actions = [
      "iam:AttachRolePolicy",
      "iam:CreateRole",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:PutRolePermissionsBoundary",
      "iam:PutRolePolicy",
    ]
    resources = ["*"]

    condition {
      test     = "StringNotEquals"
      variable = "iam:PermissionsBoundary"
      values   = ["${local.arn.iam}:policy/${local.workload_boundary_prefix}${each.key}"]
    }
  }

  statement {
    sid       = "NoUsersGroupsOrAccessKeys"
    effect    = "Deny"
    actions   = ["iam:*User*", "iam:*Group*", "iam:*AccessKey*", "iam:*LoginProfile*"]
    resources = ["*"]
  }

  statement {
    # No instance profile but this environment's bastion's (modules/network). Reads stay
    # allowed: deleting a role lists the instance profiles that hold it.
    sid           = "NoInstanceProfilesButTheBastions"
    effect        = "Deny"
    actions       = local.instance_profile_writes
    not_resources = ["${local.arn.iam}:instance-profile${local.workload_path}*-${each.key}-bastion"]
  }

  statement {
    # Only the migrate functions that aws_lambda_invocation runs on apply.
    sid           = "InvokeOnlyMigrations"
    effect        = "Deny"
    actions       = ["lambda:InvokeFunction", "lambda:InvokeAsync", "lambda:InvokeFunctionUrl"]
    not_resources = ["${local.arn.lambda}:function:*-migrate-${each.key}"]
  }

  statement {
    # ...nor create or retag anything as another environment's.
    sid       = "NoOtherEnvironmentsTags"
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]

    condition {
      test     = "StringNotEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }

    condition {
      test     = "Null"
      variable = "aws:RequestTag/Environment"
      values   = ["false"]
    }
  }

  statement {
    # Removing the Environment tag would take a resource out of the tag conditions.
    sid    = "KeepTheEnvironmentTag"
    effect = "Deny"
    actions = [
      "cloudwatch:UntagResource",
      "dynamodb:UntagResource",
      "ec2:DeleteTags",
      "events:UntagResource",
      "iam:UntagPolicy",
      "iam:UntagRole",
      "kms:UntagResource",
      "lambda:UntagResource",
      "logs:UntagLogGroup",
      "logs:UntagResource",
      "rds:RemoveTagsFromResource",
      "scheduler:UntagResource",
      "secretsmanager:UntagResource",
      "sns:UntagResource",
      "sqs:UntagQueue",
      "states:UntagResource",
    ]
    resources = ["*"]

    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "aws:TagKeys"
      values   = ["Environment"]
    }
  }
}
