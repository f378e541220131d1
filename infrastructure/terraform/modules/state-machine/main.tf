# One Step Functions state machine with everything it needs to be operated: a role
# holding exactly the integrations it is given, an encrypted log group, X-Ray, and
# alarms on failed, timed-out and aborted executions.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  # naming.tf composes local.qualified_name, <name>-<environment>, from it.
  environment        = var.settings.environment
  state_machine_name = local.qualified_name
  role_name          = coalesce(var.role_name, local.state_machine_name)
  account            = data.aws_caller_identity.current.account_id
  region             = data.aws_region.current.id
  partition          = data.aws_partition.current.partition

  # Built from the name, not the resource: a distributed map's role must name its own
  # state machine, and the role is an input of the state machine.
  arn_prefix        = "arn:${local.partition}:states:${local.region}:${local.account}"
  state_machine_arn = "${local.arn_prefix}:stateMachine:${local.state_machine_name}"
  # Its own executions (name:execution) and a distributed map's children (name/label:child).
  execution_arns = [
    "${local.arn_prefix}:execution:${local.state_machine_name}:*",
    "${local.arn_prefix}:execution:${local.state_machine_name}/*",
  ]
  map_run_arns = "${local.arn_prefix}:mapRun:${local.state_machine_name}/*"

  runbook = var.alarm_runbook == null ? "" : " ${var.alarm_runbook}"
}

resource "aws_cloudwatch_log_group" "this" {
  # The /aws/vendedlogs/ prefix keeps the log group's resource policy small.
  name              = "/aws/vendedlogs/states/${local.state_machine_name}"
  retention_in_days = var.settings.log_retention_days
  kms_key_id        = var.settings.kms_key_arn
  tags              = var.settings.tags
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

data "aws_iam_policy_document" "base" {
  dynamic "statement" {
    for_each = length(var.lambda_function_arns) > 0 ? [1] : []
    content {
      sid       = "InvokeFunctions"
      actions   = ["lambda:InvokeFunction"]
      resources = flatten([for arn in var.lambda_function_arns : [arn, "${arn}:*"]])
    }
  }

  dynamic "statement" {
    for_each = var.distributed_map ? [1] : []
    content {
      sid       = "StartChildWorkflows"
      actions   = ["states:StartExecution"]
      resources = [local.state_machine_arn]
    }
  }

  dynamic "statement" {
    for_each = var.distributed_map ? [1] : []
    content {
      sid       = "ManageOwnExecutions"
      actions   = ["states:DescribeExecution", "states:StopExecution"]
      resources = local.execution_arns
    }
  }

  dynamic "statement" {
    for_each = var.distributed_map ? [1] : []
    content {
      sid       = "ManageOwnMapRuns"
      actions   = ["states:DescribeMapRun", "states:UpdateMapRun"]
      resources = [local.map_run_arns]
    }
  }

  dynamic "statement" {
    for_each = var.settings.kms_key_arn == null ? [] : [var.settings.kms_key_arn]
    content {
      sid       = "UseDataKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }

  statement {
    sid = "DeliverExecutionLogs"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ]
    # CloudWatch Logs vended-log delivery APIs support no resource-level permissions.
    resources = ["*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
    resources = ["*"] # X-Ray offers no resource-level permissions for these actions
  }
}

data "aws_iam_policy_document" "combined" {
  source_policy_documents = var.policy_json == null ? [data.aws_iam_policy_document.base.json] : [data.aws_iam_policy_document.base.json, var.policy_json]
}

resource "aws_iam_role" "this" {
  name                 = local.role_name
  path                 = var.settings.iam_role_path
  description          = "Role of the ${local.state_machine_name} state machine."
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.settings.permissions_boundary_arn
  tags                 = var.settings.tags
}

resource "aws_iam_role_policy" "this" {
  name   = local.role_name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.combined.json
}

resource "aws_sfn_state_machine" "this" {
  name       = local.state_machine_name
  type       = var.type
  role_arn   = aws_iam_role.this.arn
  definition = var.definition

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.this.arn}:*"
    include_execution_data = var.include_execution_data
    level                  = var.log_level
  }

  tracing_configuration {
    enabled = var.settings.tracing_enabled
  }

  tags = var.settings.tags

  depends_on = [aws_iam_role_policy.this]
}

module "alarms" {
  source = "../alarms"

  alarms = {
    for key, a in {
      failed    = { metric = "ExecutionsFailed", what = "failed" }
      timed-out = { metric = "ExecutionsTimedOut", what = "timed out" }
      aborted   = { metric = "ExecutionsAborted", what = "was aborted" }
      } : key => {
      name        = "${local.state_machine_name}-executions-${key}"
      description = "An execution of ${local.state_machine_name} ${a.what}.${local.runbook}"
      namespace   = "AWS/States"
      metric_name = a.metric
      dimensions  = { StateMachineArn = aws_sfn_state_machine.this.arn }
      threshold   = 0
    }
  }
  alarm_topic_arn = var.settings.alarm_topic_arn
  tags            = var.settings.tags
}
