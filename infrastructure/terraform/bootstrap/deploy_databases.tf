# Apply role: databases. Tagged on create, then only resources tagged for this environment.

data "aws_iam_policy_document" "deploy_databases" {
  for_each = local.environments

  statement {
    sid    = "CreateTaggedDatabases"
    effect = "Allow"
    actions = [
      "rds:AddTagsToResource",
      "rds:CreateDBCluster",
      "rds:CreateDBClusterParameterGroup",
      "rds:CreateDBInstance",
      "rds:CreateDBParameterGroup",
      "rds:CreateDBSubnetGroup",
    ]
    resources = [
      "${local.arn.rds}:cluster:*-${each.key}",
      "${local.arn.rds}:cluster-pg:*-${each.key}",
      "${local.arn.rds}:cluster-pg:*-${each.key}-*",
      "${local.arn.rds}:db:*-${each.key}",
      "${local.arn.rds}:db:*-${each.key}-*",
      "${local.arn.rds}:pg:*-${each.key}",
      "${local.arn.rds}:pg:*-${each.key}-*",
      "${local.arn.rds}:subgrp:*-${each.key}",
      "${local.arn.rds}:subgrp:*-${each.key}-*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid    = "ChangeTaggedDatabases"
    effect = "Allow"
    actions = [
      "rds:AddTagsToResource",
      "rds:CreateDBCluster",
      "rds:CreateDBInstance",
      "rds:DeleteDBCluster",
      "rds:DeleteDBClusterParameterGroup",
      "rds:DeleteDBInstance",
      "rds:DeleteDBParameterGroup",
      "rds:DeleteDBSubnetGroup",
      "rds:DisableHttpEndpoint",
      "rds:EnableHttpEndpoint",
      "rds:ModifyDBCluster",
      "rds:ModifyDBClusterParameterGroup",
      "rds:ModifyDBInstance",
      "rds:ModifyDBParameterGroup",
      "rds:ModifyDBSubnetGroup",
      "rds:RemoveTagsFromResource",
    ]
    resources = ["${local.arn.rds}:*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    # Creates name the engine's default groups (untagged, owned by AWS) when the
    # module sets none.
    sid     = "DefaultGroups"
    effect  = "Allow"
    actions = ["rds:CreateDBCluster", "rds:CreateDBInstance"]
    resources = [
      "${local.arn.rds}:cluster-pg:default.*",
      "${local.arn.rds}:og:default:*",
      "${local.arn.rds}:pg:default.*",
    ]
  }

  statement {
    # A database with deletion protection keeps a final snapshot when destroyed
    # (modules/postgres names it <identifier>-final-<suffix>).
    sid    = "FinalSnapshots"
    effect = "Allow"
    actions = [
      "rds:AddTagsToResource",
      "rds:CreateDBClusterSnapshot",
      "rds:CreateDBSnapshot",
    ]
    resources = [
      "${local.arn.rds}:cluster-snapshot:*-${each.key}-final*",
      "${local.arn.rds}:snapshot:*-${each.key}-final*",
    ]
  }
}
