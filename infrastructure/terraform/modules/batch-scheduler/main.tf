# batch-scheduler: the sync-batch function (YouTube Data API → CSV → PostgreSQL),
# run on a JST schedule and on demand, with its database, API-key secret, archive
# bucket and alarms.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  pipeline      = "batch-scheduler"
  function_name = "sync-batch-${var.environment}"
  package_path  = coalesce(var.package_path, "${path.module}/../../../../dist/sync-batch.zip")

  tags = merge(var.tags, { Pipeline = local.pipeline })

  # JST → UTC. Japan has no daylight saving, so UTC is always JST − 9 h and a daily
  # schedule converts exactly. Hours are zero-padded before sorting because sort()
  # orders strings, then printed as plain numbers: 00:00,12:00,18:00 JST → 3,9,15 UTC.
  schedule_minute    = tonumber(split(":", var.schedule_times_jst[0])[1])
  schedule_hours_utc = [for h in sort(distinct([for t in var.schedule_times_jst : format("%02d", (tonumber(split(":", t)[0]) + 15) % 24)])) : tonumber(h)]
  schedule_expression = format(
    "cron(%d %s * * ? *)",
    local.schedule_minute,
    join(",", [for h in local.schedule_hours_utc : tostring(h)]),
  )

  database = var.create_database ? {
    host       = aws_db_instance.this[0].address
    port       = aws_db_instance.this[0].port
    name       = var.database_name
    secret_arn = aws_db_instance.this[0].master_user_secret[0].secret_arn
    } : {
    host       = var.existing_database.host
    port       = var.existing_database.port
    name       = var.existing_database.name
    secret_arn = var.existing_database.secret_arn
  }

  archive_bucket_name = "sync-batch-${var.environment}-archive-${data.aws_caller_identity.current.account_id}"
}

# ---------------------------------------------------------------------------
# YouTube API key. Terraform creates the secret only; the value is set out of band
# so it never appears in state:
#   aws secretsmanager put-secret-value --secret-id sync-batch-<env>/youtube-api-key \
#     --secret-string '{"apiKey":"AIza..."}'
# ---------------------------------------------------------------------------

resource "aws_secretsmanager_secret" "youtube_api_key" {
  name                    = "sync-batch-${var.environment}/youtube-api-key"
  description             = "YouTube Data API v3 key of sync-batch-${var.environment}, as {\"apiKey\": \"...\"}."
  recovery_window_in_days = 7
  tags                    = local.tags
}

# ---------------------------------------------------------------------------
# Database (RDS PostgreSQL, database "shirogane"), unless an existing one is given.
# The master password is managed by RDS in Secrets Manager and rotated by it; the
# function reads it at run time and refetches it once on an authentication failure.
# ---------------------------------------------------------------------------

resource "aws_db_subnet_group" "this" {
  count = var.create_database ? 1 : 0

  name        = "${local.pipeline}-${var.environment}"
  description = "Private subnets of the ${local.pipeline}-${var.environment} database."
  subnet_ids  = var.private_subnet_ids
  tags        = local.tags
}

resource "aws_db_parameter_group" "this" {
  count = var.create_database ? 1 : 0

  name        = "${local.pipeline}-${var.environment}-postgres${var.database_engine_version}"
  family      = "postgres${var.database_engine_version}"
  description = "PostgreSQL settings of ${local.pipeline}-${var.environment}."

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  # Statements slower than 1 s appear in the PostgreSQL log: the merge is the one to watch.
  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  tags = local.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_instance" "this" {
  count = var.create_database ? 1 : 0

  identifier     = "${local.pipeline}-${var.environment}"
  engine         = "postgres"
  engine_version = var.database_engine_version
  instance_class = var.database_instance_class
  db_name        = var.database_name
  username       = "shirogane_admin"

  manage_master_user_password = true

  allocated_storage     = var.database_allocated_storage_gb
  max_allocated_storage = var.database_max_allocated_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true

  db_subnet_group_name   = aws_db_subnet_group.this[0].name
  vpc_security_group_ids = [var.database_security_group_id]
  parameter_group_name   = aws_db_parameter_group.this[0].name
  publicly_accessible    = false
  multi_az               = var.database_multi_az
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  backup_retention_period    = var.database_backup_retention_days
  copy_tags_to_snapshot      = true
  deletion_protection        = var.database_deletion_protection
  skip_final_snapshot        = false
  final_snapshot_identifier  = "${local.pipeline}-${var.environment}-final"
  auto_minor_version_upgrade = true

  performance_insights_enabled = true

  tags = local.tags

  lifecycle {
    precondition {
      condition     = var.database_security_group_id != null
      error_message = "database_security_group_id is required when create_database is true."
    }
  }
}

# ---------------------------------------------------------------------------
# Archive bucket: every run's CSV under youtube/YYYY/MM/DD/ (JST).
# ---------------------------------------------------------------------------

module "archive_bucket" {
  source = "../s3-bucket"
  count  = var.archive_bucket_enabled ? 1 : 0

  # Bucket names are global: the account id keeps sync-batch-<env>-archive unique.
  name = local.archive_bucket_name

  lifecycle_rules = [
    {
      id                                     = "expire-archived-csv"
      expiration_days                        = var.archive_retention_days
      noncurrent_version_expiration_days     = 7
      abort_incomplete_multipart_upload_days = 1
    },
  ]

  tags = local.tags
}

# The bucket was created here before the s3-bucket module existed: these moves keep it
# (and its settings) in place instead of replacing it.
# ---------------------------------------------------------------------------
# The function.
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "sync_batch" {
  statement {
    sid       = "ReadSecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.youtube_api_key.arn, local.database.secret_arn]
  }

  dynamic "statement" {
    for_each = var.archive_bucket_enabled ? [1] : []
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
  environment  = var.environment
  pipeline     = local.pipeline
  package_path = local.package_path
  description  = "Syncs YouTube channels, videos and daily statistics into PostgreSQL (${local.database.name})."
  memory_size  = var.memory_size
  timeout      = var.timeout

  environment_variables = merge(
    {
      YOUTUBE_API_KEY_SECRET_ID    = aws_secretsmanager_secret.youtube_api_key.arn
      CHANNEL_IDS                  = join(",", var.channel_ids)
      DB_SECRET_ARN                = local.database.secret_arn
      DB_HOST                      = local.database.host
      DB_PORT                      = tostring(local.database.port)
      DB_NAME                      = local.database.name
      POWERTOOLS_METRICS_NAMESPACE = local.pipeline
    },
    var.archive_bucket_enabled ? { ARCHIVE_BUCKET = module.archive_bucket[0].bucket } : {},
    var.youtube_api_root_url == null ? {} : { YOUTUBE_API_ROOT_URL = var.youtube_api_root_url },
  )

  reserved_concurrent_executions = var.reserved_concurrent_executions
  policy_json                    = data.aws_iam_policy_document.sync_batch.json

  vpc_config = {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [var.lambda_security_group_id]
  }

  log_retention_days          = var.log_retention_days
  log_level                   = var.log_level
  tracing_enabled             = var.tracing_enabled
  alarm_topic_arn             = var.alarm_topic_arn
  duration_alarm_threshold_ms = var.duration_alarm_threshold_ms
  tags                        = local.tags
}

# ---------------------------------------------------------------------------
# Triggers. The rule names are part of the runbook:
#   aws events disable-rule --name sync-batch-<env>-schedule   (stop the schedule)
#   aws events enable-rule  --name sync-batch-<env>-schedule   (restart it)
#   aws events put-events --entries Source=batch-scheduler,DetailType=manual-trigger
# ---------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = "${local.function_name}-schedule"
  description         = "Runs sync-batch-${var.environment} daily at ${join(", ", var.schedule_times_jst)} JST (${local.schedule_expression} in UTC)."
  schedule_expression = local.schedule_expression
  state               = var.schedule_enabled ? "ENABLED" : "DISABLED"
  tags                = local.tags
}

resource "aws_cloudwatch_event_rule" "manual" {
  name        = "${local.function_name}-manual-trigger"
  description = "Runs sync-batch-${var.environment} now: aws events put-events --entries Source=batch-scheduler,DetailType=manual-trigger"
  event_pattern = jsonencode({
    source        = ["batch-scheduler"]
    "detail-type" = ["manual-trigger"]
  })
  tags = local.tags
}

locals {
  rules = {
    schedule = aws_cloudwatch_event_rule.schedule
    manual   = aws_cloudwatch_event_rule.manual
  }
}

resource "aws_cloudwatch_event_target" "sync_batch" {
  for_each = local.rules

  rule      = each.value.name
  target_id = "sync-batch"
  arn       = module.sync_batch.function_arn

  retry_policy {
    maximum_retry_attempts       = var.event_retry_attempts
    maximum_event_age_in_seconds = var.event_maximum_age_seconds
  }

  dead_letter_config {
    arn = module.events_dlq.arn
  }
}

resource "aws_lambda_permission" "events" {
  for_each = local.rules

  statement_id  = "AllowEventBridge-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = module.sync_batch.function_name
  principal     = "events.amazonaws.com"
  source_arn    = each.value.arn
}

# Events EventBridge could not deliver to the function (its own DLQ, separate from
# the function's asynchronous-invocation DLQ that the lambda-function module owns).
module "events_dlq" {
  source = "../eventbridge-dlq"

  name              = "${local.function_name}-events-dlq"
  source_rule_arns  = [for rule in local.rules : rule.arn]
  alarm_description = "EventBridge could not deliver a schedule or manual event to ${local.function_name}."
  alarm_topic_arn   = var.alarm_topic_arn
  tags              = local.tags
}

# The run reports quota use through EMF; alarm before the daily 10,000 units run out.
resource "aws_cloudwatch_metric_alarm" "quota" {
  alarm_name          = "${local.function_name}-quota-units"
  alarm_description   = "${local.function_name} spent more than 8,000 YouTube API quota units in a day (default daily quota 10,000)."
  namespace           = local.pipeline
  metric_name         = "QuotaUnitsUsed"
  dimensions          = { service = "sync-batch", environment = var.environment }
  statistic           = "Sum"
  period              = 86400
  evaluation_periods  = 1
  threshold           = 8000
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
  ok_actions          = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
  tags                = local.tags
}
