# What an operator of one environment needs to run SQL against its private databases
# (docs/operations.md, "Reaching the databases"), as a managed policy per environment
# for the administrator to attach to the operators' role, group or permission set:
#   - `make db-tunnel`: find the bastion and the database endpoint, then an SSM port
#     forward through this environment's bastion, with the port-forwarding document only
#     (no shell on the bastion);
#   - psql: the RDS-managed master secret of this environment's databases;
#   - Aurora with the Data API: `aws rds-data execute-statement` on this environment's clusters.
# tests/policy.test.ts evaluates it against the requests those commands make.

data "aws_iam_policy_document" "operator_databases" {
  for_each = local.environments

  statement {
    # DescribeInstances supports no resource-level permissions.
    sid       = "FindTheBastion"
    effect    = "Allow"
    actions   = ["ec2:DescribeInstances"]
    resources = ["*"]
  }

  statement {
    sid     = "FindTheDatabases"
    effect  = "Allow"
    actions = ["rds:DescribeDBClusters", "rds:DescribeDBInstances"]
    resources = [
      "${local.arn.rds}:cluster:*-${each.key}",
      "${local.arn.rds}:db:*-${each.key}",
    ]
  }

  statement {
    # The session is authorized on the instance (this environment's, by its tag) and on
    # the document; SessionDocumentAccessCheck refuses the default shell document.
    sid       = "PortForwardThroughOwnBastion"
    effect    = "Allow"
    actions   = ["ssm:StartSession"]
    resources = ["${local.arn.ec2}:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "ssm:resourceTag/Environment"
      values   = [each.key]
    }

    condition {
      test     = "BoolIfExists"
      variable = "ssm:SessionDocumentAccessCheck"
      values   = ["true"]
    }
  }

  statement {
    sid       = "PortForwardingDocumentOnly"
    effect    = "Allow"
    actions   = ["ssm:StartSession"]
    resources = ["arn:${local.partition}:ssm:${var.region}::document/AWS-StartPortForwardingSessionToRemoteHost"]
  }

  statement {
    sid       = "OwnSessions"
    effect    = "Allow"
    actions   = ["ssm:ResumeSession", "ssm:TerminateSession"]
    resources = ["${local.arn.ssm}:session/$${aws:userid}-*"]
  }

  statement {
    # RDS names its master secrets rds!<type>-<uuid> and tags them with their database.
    sid       = "OwnInstanceSecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["${local.arn.secrets}:secret:rds!*"]

    condition {
      test     = "ArnLike"
      variable = "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn"
      values   = ["${local.arn.rds}:db:*-${each.key}"]
    }
  }

  statement {
    sid       = "OwnClusterSecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["${local.arn.secrets}:secret:rds!*"]

    condition {
      test     = "ArnLike"
      variable = "secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn"
      values   = ["${local.arn.rds}:cluster:*-${each.key}"]
    }
  }

  statement {
    # The secrets are encrypted with the pipelines' keys.
    sid       = "DecryptOwnSecrets"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["${local.arn.kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }

  statement {
    sid    = "DataApiOnOwnClusters"
    effect = "Allow"
    actions = [
      "rds-data:BatchExecuteStatement",
      "rds-data:BeginTransaction",
      "rds-data:CommitTransaction",
      "rds-data:ExecuteStatement",
      "rds-data:RollbackTransaction",
    ]
    resources = ["${local.arn.rds}:cluster:*-${each.key}"]
  }
}


# What an operator of one environment needs for the run ledger (modules/runs,
# `npm run runs -- list|show|trigger|report --env <env>`, with their own credentials): invoke
# the REST API's stage named after the environment (API ids are generated, so the stage
# name tells the environments apart), and read the daily report pages.
data "aws_iam_policy_document" "operator_runs" {
  for_each = local.environments

  statement {
    sid       = "CallTheRunsApi"
    effect    = "Allow"
    actions   = ["execute-api:Invoke"]
    resources = ["arn:${local.partition}:execute-api:${var.region}:${local.account_id}:*/${each.key}/*"]
  }

  statement {
    # `npm run runs -- report` finds the latest page and presigns it: the URL acts with the
    # signer's permissions. The bucket is runs-reports-<env>-<account> (modules/runs).
    sid       = "FindReports"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${local.partition}:s3:::runs-reports-${each.key}-${local.account_id}"]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["reports/*"]
    }
  }

  statement {
    sid       = "ReadReports"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["arn:${local.partition}:s3:::runs-reports-${each.key}-${local.account_id}/reports/*"]
  }

  statement {
    # The reports are encrypted with the runs key of the environment.
    sid       = "DecryptReports"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["${local.arn.kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }
}
