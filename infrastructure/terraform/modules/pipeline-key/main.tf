# The customer-managed key of one pipeline: it encrypts the pipeline's buckets, tables,
# database, secrets, queues and log groups (the encryption rule in docs/architecture.md).

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  alias     = coalesce(var.alias, local.qualified_name)
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.id
  partition = data.aws_partition.current.partition
}

data "aws_iam_policy_document" "key_policy" {
  # Key policies must let the account manage the key, or it becomes unmanageable. The
  # account root also delegates use of the key to IAM: the functions' and state machines'
  # roles, and the principals Terraform and RDS, DynamoDB, SQS and Secrets Manager act
  # for (kms:ViaService), which need grants and data keys.
  statement {
    sid = "AccountAdministersAndDelegatesToIam"
    actions = [
      # administration
      "kms:CancelKeyDeletion",
      "kms:CreateAlias",
      "kms:DeleteAlias",
      "kms:DescribeKey",
      "kms:DisableKey",
      "kms:DisableKeyRotation",
      "kms:EnableKey",
      "kms:EnableKeyRotation",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:ListAliases",
      "kms:ListKeyPolicies",
      "kms:ListKeyRotations",
      "kms:ListResourceTags",
      "kms:PutKeyPolicy",
      "kms:RotateKeyOnDemand",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:UpdateAlias",
      "kms:UpdateKeyDescription",
      # grants (RDS, DynamoDB and Secrets Manager create them on the caller's behalf)
      "kms:CreateGrant",
      "kms:ListGrants",
      "kms:RetireGrant",
      "kms:RevokeGrant",
      # cryptographic use
      "kms:Decrypt",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
    ]
    resources = ["*"] # in a key policy "*" means this key
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account}:root"]
    }
  }

  # CloudWatch Logs encrypts with the key itself, for log groups of this account only.
  statement {
    sid = "CloudWatchLogsEncrypt"
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
    ]
    resources = ["*"] # in a key policy "*" means this key
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account}:log-group:*"]
    }
  }

  # Services that write into what this key encrypts (EventBridge into dead-letter
  # queues, CloudWatch alarms into a topic) act as service principals: they need the
  # key policy's permission, for this account only.
  statement {
    sid       = "ServicesWriteEncryptedMessages"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"] # in a key policy "*" means this key
    principals {
      type        = "Service"
      identifiers = var.publishing_services
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key_policy.json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.alias}"
  target_key_id = aws_kms_key.this.key_id
}
