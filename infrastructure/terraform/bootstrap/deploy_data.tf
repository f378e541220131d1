# Apply role: buckets, tables, secrets (named) and KMS keys (tagged).

data "aws_iam_policy_document" "deploy_data" {
  for_each = local.environments

  statement {
    sid    = "BucketsTablesSecrets"
    effect = "Allow"
    actions = [
      "dynamodb:CreateTable",
      "dynamodb:DeleteTable",
      "dynamodb:TagResource",
      "dynamodb:UntagResource",
      "dynamodb:UpdateContinuousBackups",
      "dynamodb:UpdateTable",
      "dynamodb:UpdateTimeToLive",
      "s3:CreateBucket",
      "s3:DeleteBucket",
      "s3:DeleteBucketPolicy",
      "s3:PutBucketNotification",
      "s3:PutBucketOwnershipControls",
      "s3:PutBucketPolicy",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketTagging",
      "s3:PutBucketVersioning",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
      "secretsmanager:CreateSecret",
      "secretsmanager:DeleteSecret",
      "secretsmanager:TagResource",
      "secretsmanager:UntagResource",
      "secretsmanager:UpdateSecret",
    ]
    resources = [
      "${local.arn.ddb}:table/*-${each.key}",
      "${local.arn.ddb}:table/*-${each.key}-*",
      "arn:${local.partition}:s3:::*-${each.key}",
      "arn:${local.partition}:s3:::*-${each.key}-*",
      # Secret ARNs end with -<6 random characters>; names may hold a "/".
      "${local.arn.secrets}:secret:*-${each.key}-*",
      "${local.arn.secrets}:secret:*-${each.key}/*",
    ]
  }

  statement {
    # force_destroy empties a bucket before deleting it (dev's buckets only set it).
    sid    = "EmptyBucketsOnDestroy"
    effect = "Allow"
    actions = [
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
    ]
    resources = [
      "arn:${local.partition}:s3:::*-${each.key}/*",
      "arn:${local.partition}:s3:::*-${each.key}-*/*",
    ]
  }

  statement {
    # manage_master_user_password: RDS creates the secret as the caller, named rds!<type>-<uuid>.
    sid       = "DatabaseMasterSecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:CreateSecret", "secretsmanager:TagResource"]
    resources = ["${local.arn.secrets}:secret:rds!*"]
  }

  statement {
    sid       = "CreateTaggedKeys"
    effect    = "Allow"
    actions   = ["kms:CreateKey"]
    resources = ["*"] # kms:CreateKey supports no resource-level permissions

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    # CreateKey with tags is also authorized as kms:TagResource.
    sid       = "TagKeysOnCreate"
    effect    = "Allow"
    actions   = ["kms:TagResource"]
    resources = ["${local.arn.kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid    = "ManageTaggedKeys"
    effect = "Allow"
    actions = [
      "kms:CreateAlias",
      "kms:DeleteAlias",
      "kms:DisableKeyRotation",
      "kms:EnableKeyRotation",
      "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:UpdateAlias",
      "kms:UpdateKeyDescription",
    ]
    resources = ["${local.arn.kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    # Alias operations are authorized on the alias and on its key (ManageTaggedKeys).
    sid       = "Aliases"
    effect    = "Allow"
    actions   = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
    resources = ["${local.arn.kms}:alias/*-${each.key}", "${local.arn.kms}:alias/*-${each.key}-*"]
  }

  statement {
    # RDS and DynamoDB encrypt with this environment's key through grants they create
    # as the caller; only for an AWS resource, never a grant to a principal of our choosing.
    sid       = "GrantsForEncryptedResources"
    effect    = "Allow"
    actions   = ["kms:CreateGrant"]
    resources = ["${local.arn.kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }

    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }

  statement {
    # RDS writes the master-user secret encrypted with the key given in master_user_secret_kms_key_id.
    sid       = "MasterSecretEncryption"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
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
}
