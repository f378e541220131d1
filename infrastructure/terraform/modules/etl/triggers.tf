# Triggers:
#   the schedule       etl-extract-<env> (EventBridge Scheduler, 02:00 Asia/Tokyo: yesterday in JST)
#   the manual rule    Source=etl, DetailType=manual-trigger, Detail {"environment": "<env>"} plus
#                      optionally "date": "YYYY-MM-DD" or "from"/"to" (a backfill, at most 31 days)
#   the manifest rule  S3 Object Created of etl-data/*/manifest.json → etl-load (only complete sets)

locals {
  manual_trigger_command = "aws events put-events --entries '[{\"Source\":\"${local.pipeline}\",\"DetailType\":\"manual-trigger\",\"Detail\":\"{\\\"environment\\\":\\\"${var.environment}\\\",\\\"date\\\":\\\"2026-11-30\\\"}\"}]'"
}

module "schedule" {
  source = "../schedule"

  name                = "etl-extract"
  environment         = var.environment
  description         = "Runs ${module.extract.function_name} daily at ${var.schedule_time_jst} JST for yesterday (JST)."
  schedule_expression = format("cron(%d %d * * ? *)", tonumber(split(":", var.schedule_time_jst)[1]), tonumber(split(":", var.schedule_time_jst)[0]))
  target_arn          = module.extract.function_arn
  input               = jsonencode({ source = "schedule" })
  enabled             = var.schedule_enabled
  retry_attempts      = var.event_retry_attempts
  kms_key_arn         = module.key.arn
  alarm_topic_arn     = var.alarm_topic_arn
  tags                = local.tags

  iam_role_path            = var.iam_role_path
  permissions_boundary_arn = var.permissions_boundary_arn
}

resource "aws_cloudwatch_event_rule" "manual" {
  name = "${local.prefix}-manual-trigger"
  # EventBridge caps descriptions at 512 characters; this one stays under.
  description = "Runs etl-extract-transform-${var.environment} now (Detail may add date, or from and to): ${local.manual_trigger_command} (an entry without Detail is refused: FailedEntryCount 1, exit 0)."
  # Both environments may share an account and its default bus: the environment in Detail
  # keeps a dev trigger from running prd.
  event_pattern = jsonencode({
    source        = [local.pipeline]
    "detail-type" = ["manual-trigger"]
    detail        = { environment = [var.environment] }
  })
  tags = local.tags
}

resource "aws_cloudwatch_event_target" "manual" {
  rule      = aws_cloudwatch_event_rule.manual.name
  target_id = "etl-extract-transform"
  arn       = module.extract.function_arn

  retry_policy {
    maximum_retry_attempts       = var.event_retry_attempts
    maximum_event_age_in_seconds = 3600
  }

  dead_letter_config {
    arn = module.events_dlq.arn
  }
}

resource "aws_cloudwatch_event_rule" "manifest_created" {
  name        = "${local.prefix}-manifest-created"
  description = "Starts ${module.load.function_name} when a manifest (written after its datasets) lands under ${local.data_prefix}."
  event_pattern = jsonencode({
    source        = ["aws.s3"]
    "detail-type" = ["Object Created"]
    detail = {
      bucket = { name = [module.bucket.bucket] }
      object = { key = [{ wildcard = "${local.data_prefix}*/manifest.json" }] }
    }
  })
  tags = local.tags
}

resource "aws_cloudwatch_event_target" "manifest_created" {
  rule      = aws_cloudwatch_event_rule.manifest_created.name
  target_id = "etl-load"
  arn       = module.load.function_arn

  # S3 events are not replayed by anyone else: retry for the whole day EventBridge allows.
  retry_policy {
    maximum_retry_attempts       = 185
    maximum_event_age_in_seconds = 86400
  }

  dead_letter_config {
    arn = module.events_dlq.arn
  }
}

module "events_dlq" {
  source = "../eventbridge-dlq"

  name              = "${local.prefix}-events-dlq"
  source_rule_arns  = [aws_cloudwatch_event_rule.manual.arn, aws_cloudwatch_event_rule.manifest_created.arn]
  kms_key_arn       = module.key.arn
  alarm_description = "EventBridge could not deliver a manual trigger to etl-extract-transform or a manifest event to etl-load."
  alarm_topic_arn   = var.alarm_topic_arn
  tags              = local.tags
}
