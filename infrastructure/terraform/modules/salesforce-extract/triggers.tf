# Triggers of the state machine:
#   the schedule     salesforce-extract-<env> (EventBridge Scheduler, Asia/Tokyo), input {"trigger":"schedule"}
#   the manual rule  Source=salesforce-extract, DetailType=manual-trigger, Detail {"environment": "<env>"}
#                    plus optionally "objects": [...], "full": true; the execution's input is the Detail

locals {
  manual_trigger_command = "aws events put-events --entries '[{\"Source\":\"${local.pipeline}\",\"DetailType\":\"manual-trigger\",\"Detail\":\"{\\\"environment\\\":\\\"${var.environment}\\\",\\\"objects\\\":[\\\"Account\\\"]}\"}]'"
}

module "schedule" {
  source = "../schedule"

  name                = local.pipeline
  environment         = var.environment
  description         = "Starts ${module.workflow.name} (every configured object) at ${var.schedule_expression} in JST."
  schedule_expression = var.schedule_expression
  target_arn          = module.workflow.arn
  input               = jsonencode({ trigger = "schedule" })
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
  description = "Starts ${local.prefix} now (Detail may add objects and full): ${local.manual_trigger_command} (an entry without Detail is refused: FailedEntryCount 1, exit 0)."
  # Both environments may share an account and its default bus: the environment in Detail
  # keeps a dev trigger from running prd.
  event_pattern = jsonencode({
    source        = [local.pipeline]
    "detail-type" = ["manual-trigger"]
    detail        = { environment = [var.environment] }
  })
  tags = local.tags
}

module "events_dlq" {
  source = "../eventbridge-dlq"

  name              = "${local.prefix}-events-dlq"
  source_rule_arns  = [aws_cloudwatch_event_rule.manual.arn]
  kms_key_arn       = module.key.arn
  alarm_description = "EventBridge could not start ${module.workflow.name} for a manual trigger."
  alarm_topic_arn   = var.alarm_topic_arn
  tags              = local.tags
}

resource "aws_cloudwatch_event_target" "manual" {
  rule      = aws_cloudwatch_event_rule.manual.name
  target_id = local.pipeline
  arn       = module.workflow.arn
  role_arn  = module.workflow.events_role_arn
  # The execution's input: {"environment", "objects"?, "full"?, "mode"?} as sent.
  input_path = "$.detail"

  retry_policy {
    maximum_retry_attempts       = var.event_retry_attempts
    maximum_event_age_in_seconds = 3600
  }

  dead_letter_config {
    arn = module.events_dlq.arn
  }
}
