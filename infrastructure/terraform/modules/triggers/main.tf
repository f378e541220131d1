# What starts a pipeline, written once: an EventBridge Scheduler schedule (modules/schedule),
# a manual-trigger rule, and event rules (S3 notifications, status changes, a UTC cron rule a
# runbook names), each rule with one target, bounded retries and the pipeline's one dead-letter
# queue. State-machine targets are started with the role this module creates; Lambda
# targets are invoked through the function's resource policy (lambda-function allowed_triggers).

data "aws_caller_identity" "current" {}

locals {
  # naming.tf composes local.qualified_name, <name>-<environment>, from it.
  environment = var.settings.environment

  # The manual-trigger rule. EventBridge refuses an entry without Detail (FailedEntryCount 1)
  # while the CLI still exits 0, so the description's command carries one. Both environments
  # may share an account and its default bus: the environment in Detail keeps a dev trigger
  # from running prd. (tests/manual-trigger.test.ts evaluates this for every caller.)
  manual_rule = var.manual_trigger == null ? {} : {
    manual = {
      name        = "${local.qualified_name}-manual-trigger"
      description = "${var.manual_trigger.description}: ${var.manual_trigger.command} (an entry without Detail is refused: FailedEntryCount 1, exit 0)."
      event_pattern = jsonencode({
        source        = [var.manual_trigger.source]
        "detail-type" = ["manual-trigger"]
        detail        = { environment = [var.settings.environment] }
      })
      schedule_expression = null
      enabled             = true
    }
  }
  rules = merge({
    for key, rule in var.rules : key => merge(rule, rule.object_created == null ? {} : {
      event_pattern = jsonencode({
        source        = ["aws.s3"]
        "detail-type" = ["Object Created"]
        detail = {
          bucket = { name = [rule.object_created.bucket] }
          object = { key = [for wildcard in rule.object_created.keys : { wildcard = wildcard }] }
        }
      })
    })
  }, local.manual_rule)

  role_target_arns = [for target in values(var.targets) : target.arn if target.role]
  role             = length(local.role_target_arns) > 0
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each = local.rules

  name                = each.value.name
  description         = each.value.description
  event_pattern       = each.value.event_pattern
  schedule_expression = each.value.schedule_expression
  state               = each.value.enabled ? "ENABLED" : "DISABLED"
  tags                = var.settings.tags

  lifecycle {
    precondition {
      condition     = length(each.value.description) <= 512
      error_message = "EventBridge caps rule descriptions at 512 characters: ${each.value.name}'s has ${length(each.value.description)}."
    }
  }
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = var.targets

  rule       = aws_cloudwatch_event_rule.this[each.key].name
  target_id  = each.value.id
  arn        = each.value.arn
  role_arn   = each.value.role ? aws_iam_role.this[0].arn : null
  input_path = each.value.input_path

  retry_policy {
    maximum_retry_attempts       = each.value.retry_attempts
    maximum_event_age_in_seconds = each.value.maximum_event_age_seconds
  }

  dead_letter_config {
    arn = module.dlq.arn
  }
}

module "dlq" {
  source = "../eventbridge-dlq"

  name              = "${local.qualified_name}-events-dlq"
  source_rule_arns  = [for rule in aws_cloudwatch_event_rule.this : rule.arn]
  settings          = var.settings
  alarm_name        = var.dlq_alarm.name
  alarm_description = var.dlq_alarm.description
}

data "aws_iam_policy_document" "assume" {
  count = local.role ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

data "aws_iam_policy_document" "start" {
  count = local.role ? 1 : 0

  statement {
    sid       = "StartExecutions"
    actions   = ["states:StartExecution"]
    resources = local.role_target_arns
  }
}

resource "aws_iam_role" "this" {
  count = local.role ? 1 : 0

  name                 = "${local.qualified_name}-events"
  path                 = var.settings.iam_role_path
  description          = coalesce(var.role_description, "Lets the ${local.qualified_name} EventBridge rules start their state machines.")
  assume_role_policy   = data.aws_iam_policy_document.assume[0].json
  permissions_boundary = var.settings.permissions_boundary_arn
  tags                 = var.settings.tags
}

resource "aws_iam_role_policy" "this" {
  count = local.role ? 1 : 0

  name   = "${local.qualified_name}-events"
  role   = aws_iam_role.this[0].id
  policy = data.aws_iam_policy_document.start[0].json
}

module "schedule" {
  source = "../schedule"
  count  = var.schedule == null ? 0 : 1

  name     = var.schedule.name
  settings = var.settings
  schedule = var.schedule
}
