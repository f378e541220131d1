# Apply role: functions, logs, REST APIs, orchestration, queues, topics, alarms, dashboards (named resources).

data "aws_iam_policy_document" "deploy_compute" {
  for_each = local.environments

  statement {
    sid    = "Functions"
    effect = "Allow"
    actions = [
      "lambda:AddPermission",
      "lambda:CreateFunction",
      "lambda:DeleteFunction",
      "lambda:DeleteFunctionConcurrency",
      "lambda:DeleteFunctionEventInvokeConfig",
      "lambda:PublishVersion",
      "lambda:PutFunctionConcurrency",
      "lambda:PutFunctionEventInvokeConfig",
      "lambda:RemovePermission",
      "lambda:TagResource",
      "lambda:UntagResource",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
      "lambda:UpdateFunctionEventInvokeConfig",
    ]
    resources = ["${local.arn.lambda}:function:*-${each.key}"]
  }

  statement {
    # aws_lambda_invocation runs the migrate functions on apply (guardrails.tf denies any other).
    sid       = "RunMigrations"
    effect    = "Allow"
    actions   = ["lambda:InvokeFunction"]
    resources = ["${local.arn.lambda}:function:*-migrate-${each.key}"]
  }

  statement {
    # Event source mappings are named by a UUID: the function they feed names the environment.
    sid       = "CreateEventSourceMappings"
    effect    = "Allow"
    actions   = ["lambda:CreateEventSourceMapping"]
    resources = ["*"] # CreateEventSourceMapping supports no resource-level permissions

    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = ["${local.arn.lambda}:function:*-${each.key}"]
    }
  }

  statement {
    sid       = "ChangeEventSourceMappings"
    effect    = "Allow"
    actions   = ["lambda:DeleteEventSourceMapping", "lambda:UpdateEventSourceMapping"]
    resources = ["${local.arn.lambda}:event-source-mapping:*"]

    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = ["${local.arn.lambda}:function:*-${each.key}"]
    }
  }

  statement {
    sid       = "TagEventSourceMappings"
    effect    = "Allow"
    actions   = ["lambda:TagResource"]
    resources = ["${local.arn.lambda}:event-source-mapping:*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid       = "RetagEventSourceMappings"
    effect    = "Allow"
    actions   = ["lambda:TagResource", "lambda:UntagResource"]
    resources = ["${local.arn.lambda}:event-source-mapping:*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid    = "LogGroups"
    effect = "Allow"
    actions = [
      "logs:AssociateKmsKey",
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:DeleteRetentionPolicy",
      "logs:DisassociateKmsKey",
      "logs:PutRetentionPolicy",
      "logs:TagResource",
      "logs:UntagResource",
    ]
    resources = [
      "${local.arn.logs}:log-group:/aws/lambda/*-${each.key}",
      "${local.arn.logs}:log-group:/aws/lambda/*-${each.key}:*",
      "${local.arn.logs}:log-group:/aws/vendedlogs/states/*-${each.key}",
      "${local.arn.logs}:log-group:/aws/vendedlogs/states/*-${each.key}:*",
      "${local.arn.logs}:log-group:/aws/apigateway/*-${each.key}",
      "${local.arn.logs}:log-group:/aws/apigateway/*-${each.key}:*",
    ]
  }

  statement {
    # REST APIs carry generated ids, not names: tagged Environment = <env> on create (default_tags),
    # and API Gateway lets every child (resources, methods, integrations, deployments, stages,
    # settings) inherit its API's tags for authorization.
    sid       = "CreateTaggedRestApis"
    effect    = "Allow"
    actions   = ["apigateway:POST"]
    resources = ["${local.arn.apigw}:/restapis"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid       = "ChangeTaggedRestApis"
    effect    = "Allow"
    actions   = ["apigateway:DELETE", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT"]
    resources = ["${local.arn.apigw}:/restapis/*", "${local.arn.apigw}:/tags/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    # API Gateway's CloudWatch role is one setting of the account (modules/runs,
    # manage_api_gateway_account_role): nothing to scope it to an environment by.
    sid       = "ApiGatewayAccountLogsRole"
    effect    = "Allow"
    actions   = ["apigateway:PATCH"]
    resources = ["${local.arn.apigw}:/account"]
  }

  statement {
    sid    = "LogDeliveryForStateMachines"
    effect = "Allow"
    actions = [
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:DescribeResourcePolicies",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:UpdateLogDelivery",
    ]
    # CloudWatch Logs vended-log delivery actions support no resource-level permissions.
    resources = ["*"]
  }

  statement {
    sid    = "QueuesTopicsAlarmsDashboards"
    effect = "Allow"
    actions = [
      "cloudwatch:DeleteAlarms",
      "cloudwatch:DeleteDashboards",
      "cloudwatch:PutDashboard",
      "cloudwatch:PutMetricAlarm",
      "cloudwatch:TagResource",
      "cloudwatch:UntagResource",
      "sns:CreateTopic",
      "sns:DeleteTopic",
      "sns:SetTopicAttributes",
      "sns:Subscribe",
      "sns:TagResource",
      "sns:Unsubscribe",
      "sns:UntagResource",
      "sqs:CreateQueue",
      "sqs:DeleteQueue",
      "sqs:SetQueueAttributes",
      "sqs:TagQueue",
      "sqs:UntagQueue",
    ]
    resources = [
      "${local.arn.cw}:alarm:*-${each.key}",
      "${local.arn.cw}:alarm:*-${each.key}-*",
      "${local.arn.cw}:dashboard/*-${each.key}",
      "${local.arn.sns}:*-${each.key}",
      "${local.arn.sns}:*-${each.key}:*",
      "${local.arn.sqs}:*-${each.key}",
      "${local.arn.sqs}:*-${each.key}-*",
    ]
  }

  statement {
    sid    = "Orchestration"
    effect = "Allow"
    actions = [
      "events:DeleteRule",
      "events:DisableRule",
      "events:EnableRule",
      "events:PutRule",
      "events:PutTargets",
      "events:RemoveTargets",
      "events:TagResource",
      "events:UntagResource",
      "scheduler:CreateSchedule",
      "scheduler:CreateScheduleGroup",
      "scheduler:DeleteSchedule",
      "scheduler:DeleteScheduleGroup",
      "scheduler:TagResource",
      "scheduler:UntagResource",
      "scheduler:UpdateSchedule",
      "states:CreateStateMachine",
      "states:DeleteStateMachine",
      "states:TagResource",
      "states:UntagResource",
      "states:UpdateStateMachine",
    ]
    resources = [
      "${local.arn.events}:rule/*-${each.key}",
      "${local.arn.events}:rule/*-${each.key}-*",
      "${local.arn.sched}:schedule/*/*-${each.key}",
      "${local.arn.sched}:schedule/*/*-${each.key}-*",
      "${local.arn.sched}:schedule-group/*-${each.key}",
      "${local.arn.states}:stateMachine:*-${each.key}",
    ]
  }
}
