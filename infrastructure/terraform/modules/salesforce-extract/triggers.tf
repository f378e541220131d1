# Triggers of the state machine:
#   the schedule     salesforce-extract-<env> (EventBridge Scheduler, Asia/Tokyo), input {"trigger":"schedule"}
#   the manual rule  Source=salesforce-extract, DetailType=manual-trigger, Detail {"environment": "<env>"}
#                    plus optionally "objects": [...], "full": true; the execution's input is the Detail

locals {
  manual_trigger_command = "aws events put-events --entries '[{\"Source\":\"${local.pipeline}\",\"DetailType\":\"manual-trigger\",\"Detail\":\"{\\\"environment\\\":\\\"${var.environment}\\\",\\\"objects\\\":[\\\"Account\\\"]}\"}]'"
}

module "triggers" {
  source = "../triggers"

  name     = local.pipeline
  settings = local.function_defaults
  schedule = {
    name           = local.pipeline
    description    = "Starts ${module.workflow.name} (every configured object) at ${var.settings.schedule_expression} in JST."
    expression     = var.settings.schedule_expression
    target_arn     = module.workflow.arn
    input          = jsonencode({ trigger = "schedule" })
    enabled        = var.schedule_enabled
    retry_attempts = var.event_retry_attempts
  }
  manual_trigger = {
    source      = local.pipeline
    description = "Starts ${local.prefix} now (Detail may add objects and full)"
    command     = local.manual_trigger_command
  }
  targets = {
    # The execution's input: {"environment", "objects"?, "full"?, "mode"?} as sent.
    manual = { id = local.pipeline, arn = module.workflow.arn, role = true, input_path = "$.detail", retry_attempts = var.event_retry_attempts, maximum_event_age_seconds = 3600 }
  }
  role_description = "Lets EventBridge rules start the ${local.prefix} state machine."
  dlq_alarm = {
    description = "EventBridge could not start ${module.workflow.name} for a manual trigger."
  }
}
