# Triggers. The rule names are part of the runbook:
#   aws events disable-rule --name sync-batch-<env>-schedule   (stop the schedule)
#   aws events enable-rule  --name sync-batch-<env>-schedule   (restart it)
#   aws events put-events --entries '[{"Source":"batch-scheduler","DetailType":"manual-trigger","Detail":"{\"environment\":\"prd\"}"}]'
# Because a runbook names the schedule rule, it stays an EventBridge rule in UTC cron
# rather than an EventBridge Scheduler schedule (modules/schedule).

locals {
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

  # The working manual-trigger command. EventBridge refuses an entry without Detail
  # (FailedEntryCount 1) while the CLI still exits 0, so the documented form carries one.
  manual_trigger_command = "aws events put-events --entries '[{\"Source\":\"${local.pipeline}\",\"DetailType\":\"manual-trigger\",\"Detail\":\"{\\\"environment\\\":\\\"${var.environment}\\\"}\"}]'"
}

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = "${local.function_name}-schedule"
  description         = "Runs ${local.function_name} daily at ${join(", ", var.schedule_times_jst)} JST (${local.schedule_expression} in UTC)."
  schedule_expression = local.schedule_expression
  state               = var.schedule_enabled ? "ENABLED" : "DISABLED"
  tags                = local.tags
}

resource "aws_cloudwatch_event_rule" "manual" {
  name = "${local.function_name}-manual-trigger"
  # EventBridge caps descriptions at 512 characters; this one stays well under.
  description = "Runs ${local.function_name} now: ${local.manual_trigger_command} (an entry without Detail is refused: FailedEntryCount 1, exit 0)."
  # Both environments may share an account and its default bus: the environment in
  # Detail keeps a dev trigger from running prd.
  event_pattern = jsonencode({
    source        = [local.pipeline]
    "detail-type" = ["manual-trigger"]
    detail        = { environment = [var.environment] }
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

# Events EventBridge could not deliver to the function (separate from the function's
# asynchronous-invocation DLQ that the lambda-function module owns).
module "events_dlq" {
  source = "../eventbridge-dlq"

  name              = "${local.function_name}-events-dlq"
  source_rule_arns  = [for rule in local.rules : rule.arn]
  kms_key_arn       = module.key.arn
  alarm_description = "EventBridge could not deliver a schedule or manual event to ${local.function_name}."
  alarm_topic_arn   = var.alarm_topic_arn
  tags              = local.tags
}
