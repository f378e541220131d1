# batch-scheduler: the sync-batch function (YouTube Data API → CSV → PostgreSQL),
# run on a JST schedule and on demand, with its database, API-key secret, archive
# bucket and alarms.
#
# Files by concern: database.tf (PostgreSQL, migration), triggers.tf (schedule and
# manual-trigger rules), moved.tf (addresses kept from the single-file module),
# pipeline.tf (shared/pipeline.tf: the inputs and locals every pipeline module takes alike).

locals {
  pipeline = "batch-scheduler"
  # The one place <name>-<env> is composed for this pipeline's own resources.
  function_name = "sync-batch-${var.environment}"
  # lambda-function's (and db-migration's) settings: the pipeline's, with its name, key and tags.
  function_defaults = merge(local.pipeline_settings, { kms_key_arn = module.key.arn })
}

# One customer-managed key for the archive, the secrets, the database, queues and logs.
module "key" {
  source = "../pipeline-key"

  settings    = local.pipeline_settings
  description = "Encrypts the ${local.pipeline}-${var.environment} archive, secrets, database, queues and logs."
}

# ---------------------------------------------------------------------------
# YouTube API key. Terraform creates the secret only; the value is set out of band
# so it never appears in state:
#   aws secretsmanager put-secret-value --secret-id sync-batch-<env>/youtube-api-key \
#     --secret-string '{"apiKey":"AIza..."}'
# ---------------------------------------------------------------------------

resource "aws_secretsmanager_secret" "youtube_api_key" {
  name        = "${local.function_name}/youtube-api-key"
  description = "YouTube Data API v3 key of ${local.function_name}, as {\"apiKey\": \"...\"}."
  kms_key_id  = module.key.arn
  # An unprotected environment is destroyed and re-applied within days: a deleted
  # secret waiting out its recovery window would block the re-created one's name.
  recovery_window_in_days = local.deletion_protection ? 7 : 0
  tags                    = local.tags
}

# ---------------------------------------------------------------------------
# Archive bucket: every run's CSV under youtube/YYYY/MM/DD/ (JST).
# ---------------------------------------------------------------------------

module "archive_bucket" {
  source = "../s3-bucket"
  count  = var.archive.enabled ? 1 : 0

  # Bucket names are global: the account id keeps sync-batch-<env>-archive unique.
  name     = "${local.function_name}-archive-${local.account_id}"
  settings = local.function_defaults

  lifecycle_rules = [
    {
      id                                     = "expire-archived-csv"
      expiration_days                        = var.archive.retention_days
      noncurrent_version_expiration_days     = 7
      abort_incomplete_multipart_upload_days = 1
    },
  ]
}

# ---------------------------------------------------------------------------
# The function.
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "sync_batch" {
  source_policy_documents = local.runs_ledger_policy_documents

  statement {
    sid       = "ReadSecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.youtube_api_key.arn, module.database.secret_arn]
  }

  dynamic "statement" {
    for_each = var.archive.enabled ? [1] : []
    content {
      sid    = "ArchiveCsv"
      effect = "Allow"
      # lib-storage uploads in parts: PutObject covers create/upload/complete, abort is separate.
      actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
      resources = ["${module.archive_bucket[0].arn}/youtube/*"]
    }
  }
}

module "sync_batch" {
  source = "../lambda-function"

  name         = "sync-batch"
  settings     = local.function_defaults
  package_path = "${local.dist_dir}/sync-batch.zip"
  description  = "Syncs YouTube channels, videos and daily statistics into PostgreSQL (${module.database.database_name})."
  memory_size  = var.function.memory_size
  timeout      = var.function.timeout

  environment_variables = merge(
    module.database.lambda_environment,
    {
      YOUTUBE_API_KEY_SECRET_ID    = aws_secretsmanager_secret.youtube_api_key.arn
      CHANNEL_IDS                  = join(",", var.channel_ids)
      POWERTOOLS_METRICS_NAMESPACE = local.pipeline
    },
    var.archive.enabled ? { ARCHIVE_BUCKET = module.archive_bucket[0].bucket } : {},
    var.youtube_api_root_url == null ? {} : { YOUTUBE_API_ROOT_URL = var.youtube_api_root_url },
    local.runs_ledger_environment,
  )
  destination_bus_arn = local.runs_ledger_bus_arn

  reserved_concurrent_executions = var.function.reserved_concurrent_executions
  policy_json                    = data.aws_iam_policy_document.sync_batch.json

  # EventBridge rules of triggers.tf, under the statement ids they were created with.
  allowed_triggers = {
    for key, rule in local.rules : key => {
      principal    = "events.amazonaws.com"
      source_arn   = rule.arn
      statement_id = "AllowEventBridge-${key}"
    }
  }

  duration_alarm_threshold_ms = var.function.duration_alarm_threshold_ms
}

# The run reports quota use through EMF; alarm before the daily 10,000 units run out.
module "alarms" {
  source = "../alarms"

  alarms = {
    quota = {
      name        = "${local.function_name}-quota-units"
      description = "${local.function_name} spent more than 8,000 YouTube API quota units in a day (default daily quota 10,000)."
      namespace   = local.pipeline
      metric_name = "QuotaUnitsUsed"
      dimensions  = { service = "sync-batch", environment = var.environment }
      threshold   = 8000
      period      = 86400
    }
  }
  alarm_topic_arn = var.platform.alarm_topic.arn
  tags            = local.tags
}
