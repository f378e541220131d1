# One Lambda function built from dist/<name>.zip, with everything it needs to be
# operated: its own role, its log group, a dead-letter queue and alarms.

locals {
  # naming.tf composes local.qualified_name, <name>-<environment>, from it.
  environment    = var.settings.environment
  function_name  = local.qualified_name
  log_group_name = "/aws/lambda/${local.function_name}"

  # 80 % of the timeout unless the caller sets a threshold.
  duration_alarm_threshold_ms = coalesce(var.duration_alarm_threshold_ms, floor(var.timeout * 1000 * 0.8))

  tags = merge(var.settings.tags, {
    Pipeline = var.settings.pipeline
    Function = var.name
  })

  environment_variables = merge(
    {
      POWERTOOLS_SERVICE_NAME = var.name
      POWERTOOLS_LOG_LEVEL    = var.settings.log_level
      ENVIRONMENT             = var.settings.environment
      # Stack traces name the TypeScript file and line through the zip's source map
      # (measured: about 6 ms more to load a bundle, `npm run bench -- cold-start`).
      NODE_OPTIONS = "--enable-source-maps"
    },
    var.environment_variables,
  )
}

# ---------------------------------------------------------------------------
# IAM: one role per function. The module grants what every function needs
# (its own log group, its DLQ, X-Ray, VPC networking when in a VPC) and merges
# the caller's least-privilege document (policy_json).
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = local.function_name
  path                 = var.settings.iam_role_path
  description          = "Execution role of the ${local.function_name} Lambda function."
  assume_role_policy   = data.aws_iam_policy_document.assume_role.json
  permissions_boundary = var.settings.permissions_boundary_arn
  max_session_duration = 3600
  tags                 = local.tags
}

data "aws_iam_policy_document" "base" {
  statement {
    sid    = "WriteOwnLogGroup"
    effect = "Allow"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "SendToOwnDeadLetterQueue"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [module.dlq.arn]
  }

  # Lambda sends the invocation records to a destination with the function's role.
  dynamic "statement" {
    for_each = var.destination_bus_arn == null ? [] : [var.destination_bus_arn]
    content {
      sid       = "SendInvocationRecords"
      effect    = "Allow"
      actions   = ["events:PutEvents"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.settings.kms_key_arn == null ? [] : [var.settings.kms_key_arn]
    content {
      sid    = "UseQueueKey"
      effect = "Allow"
      actions = [
        "kms:Decrypt",
        "kms:GenerateDataKey",
      ]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.settings.tracing_enabled ? [1] : []
    content {
      sid    = "XRayWrite"
      effect = "Allow"
      actions = [
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
      ]
      # X-Ray trace writes support no resource-level permissions: "*" is the only valid resource.
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.settings.vpc_config == null ? [] : [1]
    content {
      sid    = "VpcNetworkInterfaces"
      effect = "Allow"
      actions = [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ]
      # Lambda's Hyperplane ENI management: the Describe actions support no resource-level
      # permissions and the ENI ids are not known in advance, so AWS documents "*" here.
      resources = ["*"]
    }
  }
}

data "aws_iam_policy_document" "combined" {
  source_policy_documents = var.policy_json == null ? [data.aws_iam_policy_document.base.json] : [data.aws_iam_policy_document.base.json, var.policy_json]
}

resource "aws_iam_role_policy" "this" {
  name   = local.function_name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.combined.json
}

# ---------------------------------------------------------------------------
# Logs: created by Terraform (not on first invocation) so retention and
# encryption are ours, and the function writes JSON to it.
# ---------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.settings.log_retention_days
  kms_key_id        = var.settings.kms_key_arn
  tags              = local.tags
}

# ---------------------------------------------------------------------------
# Dead-letter queue for asynchronous invocations (EventBridge, S3, Scheduler): the
# repository's one DLQ pattern. The function's role sends to it (statement above).
# ---------------------------------------------------------------------------

module "dlq" {
  source = "../eventbridge-dlq"

  name              = "${local.function_name}-dlq"
  source_rule_arns  = aws_cloudwatch_event_rule.failures[*].arn
  settings          = merge(var.settings, { tags = local.tags })
  alarm_name        = "${local.function_name}-dlq-not-empty"
  alarm_description = "Asynchronous invocations of ${local.function_name} failed after retries."
}

# ---------------------------------------------------------------------------
# The function.
# ---------------------------------------------------------------------------

resource "aws_lambda_function" "this" {
  function_name    = local.function_name
  description      = var.description
  role             = aws_iam_role.this.arn
  filename         = var.package_path
  source_code_hash = filebase64sha256(var.package_path)
  handler          = var.handler
  runtime          = "nodejs24.x"
  architectures    = ["arm64"]

  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions

  environment {
    variables = local.environment_variables
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this.name
    application_log_level = var.settings.log_level
    system_log_level      = "INFO"
  }

  tracing_config {
    mode = var.settings.tracing_enabled ? "Active" : "PassThrough"
  }

  dynamic "vpc_config" {
    for_each = var.settings.vpc_config == null ? [] : [var.settings.vpc_config]
    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  tags = local.tags

  # The role's policy must exist before the first invocation can log or send to the DLQ.
  depends_on = [aws_iam_role_policy.this]
}

resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = var.maximum_retry_attempts
  maximum_event_age_in_seconds = var.maximum_event_age_in_seconds

  destination_config {
    on_failure {
      destination = var.destination_bus_arn == null ? module.dlq.arn : var.destination_bus_arn
    }

    dynamic "on_success" {
      for_each = var.destination_bus_arn == null ? [] : [var.destination_bus_arn]
      content {
        destination = on_success.value
      }
    }
  }
}

# With destination_bus_arn, failures reach the dead-letter queue through the bus: this rule
# forwards the function's own failure records (the whole event, the invocation record in
# its detail) to it, so the queue and its alarm mean what they meant before.
resource "aws_cloudwatch_event_rule" "failures" {
  count = var.destination_bus_arn == null ? 0 : 1

  name           = "${local.function_name}-failures"
  description    = "Failed asynchronous invocations of ${local.function_name} → its dead-letter queue."
  event_bus_name = split("event-bus/", var.destination_bus_arn)[1]
  event_pattern = jsonencode({
    source        = ["lambda"]
    "detail-type" = ["Lambda Function Invocation Result - Failure"]
    # The record names the qualified function (<arn>:$LATEST); ":" keeps other functions out.
    detail = { requestContext = { functionArn = [{ prefix = "${aws_lambda_function.this.arn}:" }] } }
  })
  tags = local.tags
}

resource "aws_cloudwatch_event_target" "failures" {
  count = var.destination_bus_arn == null ? 0 : 1

  rule           = aws_cloudwatch_event_rule.failures[0].name
  event_bus_name = aws_cloudwatch_event_rule.failures[0].event_bus_name
  target_id      = "dead-letter-queue"
  arn            = module.dlq.arn
}

# ---------------------------------------------------------------------------
# Triggers: resource-based permissions for the services that invoke the function, and
# event source mappings for the queues and streams it polls.
# ---------------------------------------------------------------------------

resource "aws_lambda_permission" "allowed" {
  for_each = var.allowed_triggers

  statement_id  = coalesce(each.value.statement_id, "Allow-${each.key}")
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = each.value.principal
  source_arn    = each.value.source_arn
}

resource "aws_lambda_event_source_mapping" "this" {
  for_each = var.event_source_mappings

  function_name                      = aws_lambda_function.this.arn
  event_source_arn                   = each.value.event_source_arn
  enabled                            = each.value.enabled
  batch_size                         = each.value.batch_size
  maximum_batching_window_in_seconds = each.value.maximum_batching_window_in_seconds
  starting_position                  = each.value.starting_position
  # Report only the failed records of a batch, so a retry does not redo the others.
  function_response_types = each.value.report_batch_item_failures ? ["ReportBatchItemFailures"] : []

  dynamic "filter_criteria" {
    for_each = length(each.value.filter_patterns) > 0 ? [1] : []
    content {
      dynamic "filter" {
        for_each = each.value.filter_patterns
        content {
          pattern = filter.value
        }
      }
    }
  }
}

# ---------------------------------------------------------------------------
# Alarms, in the shared alarm shape (always created; actions only when a topic is
# given). The DLQ alarm is the dlq module's.
# ---------------------------------------------------------------------------

locals {
  # Lambda's metrics count failures: one error, throttle or slow run in 5 minutes fires.
  lambda_alarm = {
    namespace           = "AWS/Lambda"
    dimensions          = { FunctionName = aws_lambda_function.this.function_name }
    comparison_operator = "GreaterThanOrEqualToThreshold"
  }
}

module "alarms" {
  source = "../alarms"

  alarms = {
    errors = merge(local.lambda_alarm, {
      name        = "${local.function_name}-errors"
      description = "${local.function_name} reported at least one error in 5 minutes. Logs: aws logs tail ${local.log_group_name} --since 1h"
      metric_name = "Errors"
      threshold   = 1
    })
    throttles = merge(local.lambda_alarm, {
      name        = "${local.function_name}-throttles"
      description = "${local.function_name} was throttled in the last 5 minutes (reserved concurrency or account limit)."
      metric_name = "Throttles"
      threshold   = 1
    })
    duration = merge(local.lambda_alarm, {
      name        = "${local.function_name}-duration"
      description = "${local.function_name} ran longer than ${local.duration_alarm_threshold_ms} ms (timeout ${var.timeout} s)."
      metric_name = "Duration"
      statistic   = "Maximum"
      threshold   = local.duration_alarm_threshold_ms
    })
  }
  alarm_topic_arn = var.settings.alarm_topic_arn
  tags            = local.tags
}
