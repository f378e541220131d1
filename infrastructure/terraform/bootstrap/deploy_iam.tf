# Apply role: IAM. Workload roles under local.workload_path, always with this environment's boundary.

data "aws_iam_policy_document" "deploy_iam" {
  for_each = local.environments

  statement {
    sid    = "WorkloadRolesWithBoundary"
    effect = "Allow"
    actions = [
      "iam:CreateRole",
      "iam:DeleteRolePolicy",
      "iam:PutRolePermissionsBoundary",
      "iam:PutRolePolicy",
    ]
    resources = [
      "${local.arn.iam}:role${local.workload_path}*-${each.key}",
      "${local.arn.iam}:role${local.workload_path}*-${each.key}-*",
    ]

    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = ["${local.arn.iam}:policy/${local.workload_boundary_prefix}${each.key}"]
    }
  }

  statement {
    # Only the modules' own managed policies: never AdministratorAccess or another
    # AWS managed policy (the boundary would cap it, but there is no reason to allow it).
    sid       = "WorkloadPolicyAttachments"
    effect    = "Allow"
    actions   = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
    resources = ["${local.arn.iam}:role${local.workload_path}*-${each.key}", "${local.arn.iam}:role${local.workload_path}*-${each.key}-*"]

    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = ["${local.arn.iam}:policy/${local.workload_boundary_prefix}${each.key}"]
    }

    condition {
      test     = "ArnLike"
      variable = "iam:PolicyARN"
      values   = ["${local.arn.iam}:policy${local.workload_path}*"]
    }
  }

  statement {
    # iam:PermissionsBoundary does not apply to these: the role's own Environment tag does.
    sid    = "TaggedWorkloadRoles"
    effect = "Allow"
    actions = [
      "iam:DeleteRole",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
    ]
    resources = [
      "${local.arn.iam}:role${local.workload_path}*-${each.key}",
      "${local.arn.iam}:role${local.workload_path}*-${each.key}-*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    # CreateRole with tags is also authorized as iam:TagRole, before the role has any.
    sid       = "TagWorkloadRolesOnCreate"
    effect    = "Allow"
    actions   = ["iam:TagRole"]
    resources = ["${local.arn.iam}:role${local.workload_path}*-${each.key}", "${local.arn.iam}:role${local.workload_path}*-${each.key}-*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid    = "WorkloadManagedPolicies"
    effect = "Allow"
    actions = [
      "iam:CreatePolicy",
      "iam:CreatePolicyVersion",
      "iam:DeletePolicy",
      "iam:DeletePolicyVersion",
      "iam:SetDefaultPolicyVersion",
      "iam:TagPolicy",
      "iam:UntagPolicy",
    ]
    resources = [
      "${local.arn.iam}:policy${local.workload_path}*-${each.key}",
      "${local.arn.iam}:policy${local.workload_path}*-${each.key}-*",
    ]
  }

  statement {
    # Each service gets only roles of this environment, and only the services that run them.
    sid       = "PassWorkloadRoles"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = ["${local.arn.iam}:role${local.workload_path}*-${each.key}", "${local.arn.iam}:role${local.workload_path}*-${each.key}-*"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values = [
        "apigateway.amazonaws.com",
        "events.amazonaws.com",
        "lambda.amazonaws.com",
        "scheduler.amazonaws.com",
        "states.amazonaws.com",
      ]
    }
  }

  statement {
    # The one role EC2 gets: the operators' bastion of modules/network (<name>-<env>-bastion).
    # IfExists: iam:AddRoleToInstanceProfile checks PassRole without iam:PassedToService, so a
    # plain StringEquals would refuse the profile attachment; where the key is present (RunInstances)
    # it must still be EC2, and the resource pins the one role either way.
    sid       = "PassBastionRole"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = ["${local.arn.iam}:role${local.workload_path}*-${each.key}-bastion"]

    condition {
      test     = "StringEqualsIfExists"
      variable = "iam:PassedToService"
      values   = ["ec2.amazonaws.com"]
    }
  }

  statement {
    # ...in its instance profile, the only one the guardrails let the apply role manage.
    sid       = "BastionInstanceProfile"
    effect    = "Allow"
    actions   = local.instance_profile_writes
    resources = ["${local.arn.iam}:instance-profile${local.workload_path}*-${each.key}-bastion"]
  }

  statement {
    # RDS creates its service-linked role on the first database of the account.
    sid       = "ServiceLinkedRoles"
    effect    = "Allow"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["${local.arn.iam}:role/aws-service-role/rds.amazonaws.com/*"]

    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["rds.amazonaws.com"]
    }
  }
}
