# Triggers:
#   the schedule       etl-extract-<env> (EventBridge Scheduler, 02:00 Asia/Tokyo: yesterday in JST)
#   the manual rule    Source=etl, DetailType=manual-trigger, Detail {"environment": "<env>"} plus
#                      optionally "date": "YYYY-MM-DD" or "from"/"to" (a backfill, at most 31 days)
#   the manifest rule  S3 Object Created of etl-data/*/manifest.json → etl-load (only complete sets)

locals {
  manual_trigger_command = "aws events put-events --entries '[{\"Source\":\"${local.pipeline}\",\"DetailType\":\"manual-trigger\",\"Detail\":\"{\\\"environment\\\":\\\"${var.environment}\\\",\\\"date\\\":\\\"2026-11-30\\\"}\"}]'"
}

module "triggers" {
  source = "../triggers"

  name     = local.pipeline
  settings = local.function_defaults
  schedule = {
    name           = "etl-extract"
    description    = "Runs ${module.extract.function_name} daily at ${var.settings.schedule_time_jst} JST for yesterday (JST)."
    expression     = format("cron(%d %d * * ? *)", tonumber(split(":", var.settings.schedule_time_jst)[1]), tonumber(split(":", var.settings.schedule_time_jst)[0]))
    target_arn     = module.extract.function_arn
    input          = jsonencode({ source = "schedule" })
    enabled        = var.schedule_enabled
    retry_attempts = var.event_retry_attempts
  }
  manual_trigger = {
    source      = local.pipeline
    description = "Runs etl-extract-transform-${var.environment} now (Detail may add date, or from and to)"
    command     = local.manual_trigger_command
  }
  rules = {
    manifest_created = {
      name        = "${local.prefix}-manifest-created"
      description = "Starts ${module.load.function_name} when a manifest (written after its datasets) lands under ${local.data_prefix}."
      object_created = {
        bucket = module.bucket.bucket
        keys   = ["${local.data_prefix}*/manifest.json"]
      }
    }
  }
  # S3 events are not replayed by anyone else: the manifest takes the default retries, the
  # whole day EventBridge allows.
  targets = {
    manual           = { id = "etl-extract-transform", arn = module.extract.function_arn, retry_attempts = var.event_retry_attempts, maximum_event_age_seconds = 3600 }
    manifest_created = { id = "etl-load", arn = module.load.function_arn }
  }
  dlq_alarm = {
    description = "EventBridge could not deliver a manual trigger to etl-extract-transform or a manifest event to etl-load."
  }
}
