# The customer-managed key of one pipeline: it encrypts the pipeline's buckets, tables,
# database, secrets, queues and log groups (the encryption rule in docs/architecture.md).

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  # <pipeline>-<environment>, the pipeline's own name (settings.pipeline) unless alias says otherwise.
  alias     = coalesce(var.alias, "${var.settings.pipeline}-${var.settings.environment}")
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.id
  partition = data.aws_partition.current.partition
}

locals {
  # What a principal with the key does with data: the account (through IAM) and CloudWatch Logs both.
  crypto_actions = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
  ]

  # The key policy's statements by sid. In a key policy "*" as the resource means this key.
  key_policy_statements = {
    # Key policies must let the account manage the key, or it becomes unmanageable. The
    # account root also delegates use of the key to IAM: the functions' and state machines'
    # roles, and the principals Terraform and RDS, DynamoDB, SQS and Secrets Manager act
    # for (kms:ViaService), which need grants and data keys.
    AccountAdministersAndDelegatesToIam = {
      actions = concat(
        [
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
        ],
        # grants (RDS, DynamoDB and Secrets Manager create them on the caller's behalf)
        ["kms:CreateGrant", "kms:ListGrants", "kms:RetireGrant", "kms:RevokeGrant"],
        local.crypto_actions,
      )
      principal = { type = "AWS", identifiers = ["arn:${local.partition}:iam::${local.account}:root"] }
      condition = null
    }

    # CloudWatch Logs encrypts with the key itself, for log groups of this account only.
    CloudWatchLogsEncrypt = {
      actions   = concat(["kms:DescribeKey"], local.crypto_actions)
      principal = { type = "Service", identifiers = ["logs.${local.region}.amazonaws.com"] }
      condition = {
        test     = "ArnLike"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = ["arn:${local.partition}:logs:${local.region}:${local.account}:log-group:*"]
      }
    }

    # Services that write into what this key encrypts (EventBridge into dead-letter
    # queues, CloudWatch alarms into a topic) act as service principals: they need the
    # key policy's permission, for this account only.
    ServicesWriteEncryptedMessages = {
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      principal = { type = "Service", identifiers = var.publishing_services }
      condition = { test = "StringEquals", variable = "aws:SourceAccount", values = [local.account] }
    }
  }
}

data "aws_iam_policy_document" "key_policy" {
  dynamic "statement" {
    for_each = local.key_policy_statements
    content {
      sid       = statement.key
      actions   = statement.value.actions
      resources = ["*"]
      principals {
        type        = statement.value.principal.type
        identifiers = statement.value.principal.identifiers
      }
      dynamic "condition" {
        for_each = statement.value.condition == null ? [] : [statement.value.condition]
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key_policy.json
  tags                    = var.settings.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.alias}"
  target_key_id = aws_kms_key.this.key_id
}
