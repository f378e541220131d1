# Alarm topic (encrypted, optional e-mail subscriptions) and the environment's
# CloudWatch dashboard, to which pipelines contribute functions, state machines
# and widgets.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  prefix      = "${var.name}-${var.environment}"
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition
  region      = data.aws_region.current.id
  create_key  = var.kms_key_arn == null
  kms_key_arn = local.create_key ? module.key[0].arn : var.kms_key_arn
  tags        = merge(var.tags, { Pipeline = var.name })
}

# ---------------------------------------------------------------------------
# KMS key: CloudWatch alarms and EventBridge cannot publish to a topic encrypted
# with the AWS-managed aws/sns key, so the topic gets a customer-managed key.
# ---------------------------------------------------------------------------

module "key" {
  source = "../pipeline-key"
  count  = local.create_key ? 1 : 0

  name                = var.name
  environment         = var.environment
  alias               = "${local.prefix}-monitoring"
  description         = "Encrypts the ${local.prefix} alarm topic (and optionally queues and logs)."
  publishing_services = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
  tags                = local.tags
}

# ---------------------------------------------------------------------------
# Alarm topic
# ---------------------------------------------------------------------------

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms-${var.environment}"
  display_name      = "${local.prefix} alarms"
  kms_master_key_id = local.kms_key_arn
  tags              = local.tags
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid    = "AccountOwnerManagesTopic"
    effect = "Allow"
    actions = [
      "sns:AddPermission",
      "sns:DeleteTopic",
      "sns:GetTopicAttributes",
      "sns:ListSubscriptionsByTopic",
      "sns:Publish",
      "sns:RemovePermission",
      "sns:SetTopicAttributes",
      "sns:Subscribe",
    ]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "AlarmAndEventPublishers"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# ---------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------

locals {
  header_widget = {
    type   = "text"
    x      = 0
    y      = 0
    width  = 24
    height = 2
    properties = {
      markdown = "# ${local.prefix}\nAlarms go to SNS topic `${var.name}-alarms-${var.environment}`. Logs: `aws logs tail /aws/lambda/<function>-${var.environment} --follow`."
    }
  }

  lambda_widgets = flatten([
    for i, fn in var.lambda_function_names : [
      {
        type   = "metric"
        x      = 0
        y      = 2 + i * 6
        width  = 12
        height = 6
        properties = {
          title   = "${fn}: invocations, errors, throttles"
          region  = local.region
          view    = "timeSeries"
          stacked = false
          stat    = "Sum"
          period  = 300
          metrics = [
            ["AWS/Lambda", "Invocations", "FunctionName", fn],
            ["AWS/Lambda", "Errors", "FunctionName", fn],
            ["AWS/Lambda", "Throttles", "FunctionName", fn],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 2 + i * 6
        width  = 12
        height = 6
        properties = {
          title   = "${fn}: duration"
          region  = local.region
          view    = "timeSeries"
          stacked = false
          period  = 300
          metrics = [
            ["AWS/Lambda", "Duration", "FunctionName", fn, { stat = "p95" }],
            ["AWS/Lambda", "Duration", "FunctionName", fn, { stat = "Maximum" }],
          ]
        }
      },
    ]
  ])

  state_machine_y = 2 + length(var.lambda_function_names) * 6

  state_machine_widgets = [
    for i, arn in var.state_machine_arns : {
      type   = "metric"
      x      = (i % 2) * 12
      y      = local.state_machine_y + floor(i / 2) * 6
      width  = 12
      height = 6
      properties = {
        title   = "${element(split(":", arn), length(split(":", arn)) - 1)}: executions"
        region  = local.region
        view    = "timeSeries"
        stacked = false
        stat    = "Sum"
        period  = 300
        metrics = [
          ["AWS/States", "ExecutionsStarted", "StateMachineArn", arn],
          ["AWS/States", "ExecutionsSucceeded", "StateMachineArn", arn],
          ["AWS/States", "ExecutionsFailed", "StateMachineArn", arn],
          ["AWS/States", "ExecutionsTimedOut", "StateMachineArn", arn],
        ]
      }
    }
  ]

  widgets = concat([local.header_widget], local.lambda_widgets, local.state_machine_widgets, var.extra_widgets)
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = local.prefix
  dashboard_body = jsonencode({ widgets = local.widgets })
}
