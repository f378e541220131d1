# One EventBridge Scheduler schedule written in JST (Asia/Tokyo), with a role that may
# do exactly one thing to its target, a retry policy and the shared dead-letter queue.
# Where a runbook addresses an EventBridge rule by name (batch-scheduler's
# sync-batch-<env>-schedule), the pipeline keeps that rule instead of this block.

data "aws_caller_identity" "current" {}

locals {
  # naming.tf composes local.qualified_name, <name>-<environment>, from it.
  environment   = var.settings.environment
  schedule_name = local.qualified_name
  service       = try(split(":", var.schedule.target_arn)[2], "")
  # What the scheduler's role may do to the target, by the target's service.
  target_actions = {
    lambda = "lambda:InvokeFunction"
    states = "states:StartExecution"
    sqs    = "sqs:SendMessage"
    sns    = "sns:Publish"
  }

  # What is wrong with var.schedule, one sentence each: the schedule's precondition lists them all.
  schedule_problems = [for problem, failed in {
    "schedule.expression must be cron(...), rate(...) or at(...)."                                             = !can(regex("^(cron|rate|at)\\(.+\\)$", var.schedule.expression))
    "schedule.target_arn must be the ARN of a Lambda function, a state machine, an SQS queue or an SNS topic." = !contains(keys(local.target_actions), local.service)
    "schedule.retry_attempts must be between 0 and 185."                                                       = var.schedule.retry_attempts < 0 || var.schedule.retry_attempts > 185
    "schedule.maximum_event_age_seconds must be between 60 and 86400."                                         = var.schedule.maximum_event_age_seconds < 60 || var.schedule.maximum_event_age_seconds > 86400
  } : problem if failed]
}

module "dlq" {
  source = "../eventbridge-dlq"

  name              = "${local.schedule_name}-schedule-dlq"
  settings          = var.settings
  alarm_description = "EventBridge Scheduler could not deliver ${local.schedule_name} to its target."
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

data "aws_iam_policy_document" "this" {
  statement {
    sid = "ReachTarget"
    # An unknown service gets no action here; the schedule's precondition refuses it.
    actions   = compact([lookup(local.target_actions, local.service, "")])
    resources = [var.schedule.target_arn]
  }

  # Scheduler writes undelivered events with this role, not through a queue policy.
  statement {
    sid       = "SendUndelivered"
    actions   = ["sqs:SendMessage"]
    resources = [module.dlq.arn]
  }

  dynamic "statement" {
    for_each = var.settings.kms_key_arn == null ? [] : [var.settings.kms_key_arn]
    content {
      sid       = "UseKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${local.schedule_name}-scheduler"
  path                 = var.settings.iam_role_path
  description          = "Lets the ${local.schedule_name} schedule reach its target."
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.settings.permissions_boundary_arn
  tags                 = var.settings.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "${local.schedule_name}-scheduler"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_scheduler_schedule" "this" {
  name        = local.schedule_name
  description = var.schedule.description
  state       = var.schedule.enabled ? "ENABLED" : "DISABLED"

  # Operators write schedules in JST; Japan has no daylight saving, so it never shifts.
  schedule_expression          = var.schedule.expression
  schedule_expression_timezone = "Asia/Tokyo"
  kms_key_arn                  = var.settings.kms_key_arn

  lifecycle {
    precondition {
      condition     = length(local.schedule_problems) == 0
      error_message = join(" ", local.schedule_problems)
    }
  }

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.schedule.target_arn
    role_arn = aws_iam_role.this.arn
    input    = var.schedule.input

    retry_policy {
      maximum_retry_attempts       = var.schedule.retry_attempts
      maximum_event_age_in_seconds = var.schedule.maximum_event_age_seconds
    }

    dead_letter_config {
      arn = module.dlq.arn
    }
  }
}
