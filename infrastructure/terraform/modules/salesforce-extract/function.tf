# salesforce-extract-<env>: every step of the state machine (the handler dispatches on
# event.step), with a policy that reaches only the one secret, the one table and raw/*.

locals {
  # SALESFORCE_OBJECTS as the function reads it: fields is "*" or a list, camelCase keys,
  # alarm_when_empty stays here. The for expression builds a tuple, so "*" and lists mix.
  objects_json = jsonencode([for o in var.objects : merge(
    {
      name           = o.name
      fields         = jsondecode(o.fields == tolist(["*"]) ? "\"*\"" : jsonencode(o.fields))
      mode           = o.mode
      incremental    = o.incremental
      includeDeleted = o.include_deleted
    },
    o.where == null ? {} : { where = o.where },
  )])

  timeout_seconds = 900

  # lambda-function's settings: the pipeline's, with its name, key and tags, in the VPC only when
  # given private subnets. The key is also the data key of the bucket, the table and the secret:
  # the module's kms statement covers them.
  function_defaults = merge(local.pipeline_settings, { kms_key_arn = module.key.arn })
}

data "aws_iam_policy_document" "function" {
  statement {
    sid       = "ReadSalesforceCredentials"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.salesforce.arn]
  }

  statement {
    sid = "WriteAndCheckRawFiles"
    # PutObject covers create/upload part/complete of a multipart upload (a resumed download
    # keeps its part list in the task state); a failed object aborts its upload. A retried
    # commit heads the file (GetObject) to tell a completed upload from a lost one.
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject"]
    resources = ["${module.bucket.arn}/${local.raw_prefix}*"]
  }

  statement {
    sid       = "DropCarriedRows"
    actions   = ["s3:DeleteObject"]
    resources = ["${module.bucket.arn}/${local.carry_prefix}*"]
  }

  # Lists the carries to delete; also makes a missing file a 404 rather than a 403.
  statement {
    sid       = "ListRawPrefix"
    actions   = ["s3:ListBucket"]
    resources = [module.bucket.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.raw_prefix}*"]
    }
  }

  statement {
    # Read, then advanced with a conditional update.
    sid       = "KeepWatermarks"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [module.watermarks.table.arn]
  }
}

module "function" {
  source = "../lambda-function"

  name         = local.pipeline
  settings     = local.function_defaults
  package_path = "${local.dist_dir}/salesforce-extract.zip"
  description  = "Salesforce → S3 raw CSV: limits pre-flight, plan, REST extract, Bulk API 2.0 job create/poll/download (a step per invocation)."
  memory_size  = var.settings.memory_size
  timeout      = local.timeout_seconds

  environment_variables = {
    RAW_BUCKET             = module.bucket.bucket
    WATERMARK_TABLE        = module.watermarks.table.name
    SALESFORCE_SECRET_ID   = aws_secretsmanager_secret.salesforce.arn
    SALESFORCE_OBJECTS     = local.objects_json
    SALESFORCE_API_VERSION = var.settings.api_version
    REST_THRESHOLD         = tostring(var.settings.rest_threshold)
    LOOKBACK_SECONDS       = tostring(var.settings.lookback_seconds)
    API_FLOOR_PERCENT      = tostring(var.settings.api_floor_percent)
    BULK_PAGE_RECORDS      = tostring(var.settings.bulk_page_records)
    TIME_BUDGET_RESERVE_MS = tostring(var.settings.time_budget_reserve_ms)
    # The young generation capped at what a 10k-record extraction grows it to: left to grow
    # with the allocation rate, it made peak RSS grow with the extraction's size
    # (docs/salesforce-extract.md, Performance). The bench runs with the same file's flags.
    NODE_OPTIONS = "--enable-source-maps ${trimspace(file("${path.module}/node-options"))}"
  }

  policy_json = data.aws_iam_policy_document.function.json
  # A download runs up to its budget (timeout − reserve) by design; only one that overran
  # that budget by half the reserve, about to time out, is worth an alarm.
  duration_alarm_threshold_ms = local.timeout_seconds * 1000 - floor(var.settings.time_budget_reserve_ms / 2)
  # Step Functions invokes synchronously and retries itself; no async retries.
  maximum_retry_attempts = 0
}
