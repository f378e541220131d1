# The one dead-letter-queue pattern of the repository: what an EventBridge rule target,
# an EventBridge Scheduler schedule or a Lambda function's asynchronous invocation could
# not deliver after its retries, kept 14 days for replay, with an alarm as soon as one
# arrives. Rules write through the queue policy (source_rule_arns); Lambda and Scheduler
# write with their own role, so their callers grant sqs:SendMessage on `arn` instead. The key,
# alarm topic and tags are the pipeline's settings (the caller's own settings object).

locals {
  # Rules' targets write through the queue policy, by rule ARN; nothing reaches the queue
  # without TLS.
  queue_statements = concat(length(var.source_rule_arns) == 0 ? [] : [{
    sid       = "EventBridgeRulesSendUndeliveredEvents"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    principal = { type = "Service", identifiers = ["events.amazonaws.com"] }
    condition = { test = "ArnEquals", variable = "aws:SourceArn", values = var.source_rule_arns }
    }], [{
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    principal = { type = "AWS", identifiers = ["*"] }
    condition = { test = "Bool", variable = "aws:SecureTransport", values = ["false"] }
  }])
}

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = local.queue_statements
    content {
      sid       = statement.value.sid
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = [aws_sqs_queue.this.arn]

      principals {
        type        = statement.value.principal.type
        identifiers = statement.value.principal.identifiers
      }

      condition {
        test     = statement.value.condition.test
        variable = statement.value.condition.variable
        values   = statement.value.condition.values
      }
    }
  }
}

resource "aws_sqs_queue" "this" {
  name                      = var.name
  message_retention_seconds = 1209600 # 14 days, the maximum: time to notice and replay
  # A customer-managed key when given (its policy must let events.amazonaws.com use it), else SSE-SQS.
  sqs_managed_sse_enabled = var.settings.kms_key_arn == null ? true : null
  kms_master_key_id       = var.settings.kms_key_arn
  tags                    = var.settings.tags
}

resource "aws_sqs_queue_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  policy    = data.aws_iam_policy_document.this.json
}

locals {
  alarm = {
    name        = coalesce(var.alarm_name, "${var.name}-not-empty")
    description = "${var.alarm_description} They wait in ${var.name}."
    namespace   = "AWS/SQS"
    metric_name = "ApproximateNumberOfMessagesVisible"
    dimensions  = { QueueName = aws_sqs_queue.this.name }
    statistic   = "Maximum"
    threshold   = 0
  }
}

module "alarm" {
  source = "../alarms"

  alarms          = { not_empty = local.alarm }
  alarm_topic_arn = var.settings.alarm_topic_arn
  tags            = var.settings.tags
}
