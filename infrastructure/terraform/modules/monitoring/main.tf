# Alarm topic (encrypted, optional e-mail subscriptions) and the environment's
# CloudWatch dashboard, to which pipelines contribute functions, state machines
# and widgets.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  prefix      = local.qualified_name
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition
  region      = data.aws_region.current.id
  create_key  = var.alarm_topic.kms_key_arn == null
  kms_key_arn = local.create_key ? module.key[0].arn : var.alarm_topic.kms_key_arn
  tags        = merge(var.tags, { Pipeline = var.name })
}

# ---------------------------------------------------------------------------
# KMS key: CloudWatch alarms and EventBridge cannot publish to a topic encrypted
# with the AWS-managed aws/sns key, so the topic gets a customer-managed key.
# ---------------------------------------------------------------------------

module "key" {
  source = "../pipeline-key"
  count  = local.create_key ? 1 : 0

  settings            = { environment = var.environment, pipeline = var.name, tags = local.tags }
  alias               = "${local.prefix}-monitoring"
  description         = "Encrypts the ${local.prefix} alarm topic (and optionally queues and logs)."
  publishing_services = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
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

locals {
  # Who may use the topic, by statement id: the account manages it, CloudWatch alarms and
  # EventBridge rules of this account publish to it, and nobody publishes without TLS.
  topic_statements = {
    AccountOwnerManagesTopic = {
      effect     = "Allow"
      actions    = ["sns:AddPermission", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic", "sns:Publish", "sns:RemovePermission", "sns:SetTopicAttributes", "sns:Subscribe"]
      principals = { type = "AWS", identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"] }
      conditions = []
    }
    AlarmAndEventPublishers = {
      effect     = "Allow"
      actions    = ["sns:Publish"]
      principals = { type = "Service", identifiers = ["cloudwatch.amazonaws.com", "events.amazonaws.com"] }
      conditions = [{ test = "StringEquals", variable = "aws:SourceAccount", values = [local.account_id] }]
    }
    DenyInsecureTransport = {
      effect     = "Deny"
      actions    = ["sns:Publish"]
      principals = { type = "AWS", identifiers = ["*"] }
      conditions = [{ test = "Bool", variable = "aws:SecureTransport", values = ["false"] }]
    }
  }
}

data "aws_iam_policy_document" "topic" {
  dynamic "statement" {
    for_each = local.topic_statements

    content {
      sid       = statement.key
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = [aws_sns_topic.alarms.arn]

      principals {
        type        = statement.value.principals.type
        identifiers = statement.value.principals.identifiers
      }

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_topic.emails)

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

  # Every metric widget is a half-width time series of 5-minute periods in this region.
  metric_widget     = { type = "metric", width = 12, height = 6 }
  metric_properties = { region = local.region, view = "timeSeries", stacked = false, period = 300 }

  # Per function, a row: invocations, errors and throttles (sums), then duration (p95, max).
  lambda_widgets = flatten([
    for i, fn in var.dashboard.lambda_function_names : [
      for column, properties in [
        {
          title   = "${fn}: invocations, errors, throttles"
          stat    = "Sum"
          metrics = [for metric in ["Invocations", "Errors", "Throttles"] : ["AWS/Lambda", metric, "FunctionName", fn]]
        },
        {
          title   = "${fn}: duration"
          metrics = [for stat in ["p95", "Maximum"] : ["AWS/Lambda", "Duration", "FunctionName", fn, { stat = stat }]]
        },
      ] : merge(local.metric_widget, { x = column * 12, y = 2 + i * 6, properties = merge(local.metric_properties, properties) })
    ]
  ])

  state_machine_y = 2 + length(var.dashboard.lambda_function_names) * 6

  # Two state machines a row, each with its executions by outcome.
  state_machine_widgets = [
    for i, arn in var.dashboard.state_machine_arns : merge(local.metric_widget, {
      x = (i % 2) * 12
      y = local.state_machine_y + floor(i / 2) * 6
      properties = merge(local.metric_properties, {
        title   = "${element(split(":", arn), length(split(":", arn)) - 1)}: executions"
        stat    = "Sum"
        metrics = [for metric in ["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut"] : ["AWS/States", metric, "StateMachineArn", arn]]
      })
    })
  ]

  widgets = concat([local.header_widget], local.lambda_widgets, local.state_machine_widgets, var.dashboard.extra_widgets)
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = local.prefix
  dashboard_body = jsonencode({ widgets = local.widgets })
}
