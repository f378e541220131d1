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

# Events EventBridge could not deliver to the function go to the triggers' dead-letter queue
# (separate from the function's asynchronous-invocation DLQ that the lambda-function module owns).
module "triggers" {
  source = "../triggers"

  name     = "sync-batch"
  settings = local.function_defaults
  rules = {
    schedule = {
      name                = "${local.function_name}-schedule"
      description         = "Runs ${local.function_name} daily at ${join(", ", var.schedule_times_jst)} JST (${local.schedule_expression} in UTC)."
      schedule_expression = local.schedule_expression
      enabled             = var.schedule_enabled
    }
  }
  manual_trigger = {
    source      = local.pipeline
    description = "Runs ${local.function_name} now"
    command     = local.manual_trigger_command
  }
  targets = {
    for key in ["schedule", "manual"] : key => {
      id                        = "sync-batch"
      arn                       = module.sync_batch.function_arn
      retry_attempts            = var.event_retry_attempts
      maximum_event_age_seconds = var.event_maximum_age_seconds
    }
  }
  dlq_alarm = {
    description = "EventBridge could not deliver a schedule or manual event to ${local.function_name}."
  }
}

locals {
  # The function's allowed_triggers (main.tf), under the statement ids they were created with.
  rules = module.triggers.rules
}
