# The permissions boundary of every workload role (Lambda functions, state machines,
# schedules, event targets) of one environment. A boundary grants nothing: it caps
# what the role's own policies can grant. So even a workload policy written by a
# compromised apply role reaches only this environment's data and never IAM.
# tests/policy.test.ts checks that it covers every action the modules' role
# policies grant, and that it reaches nothing of another environment.

data "aws_iam_policy_document" "workload_boundary" {
  for_each = local.environments

  # Whatever a workload policy says: nothing tagged for another environment (guardrails.tf).
  source_policy_documents = [data.aws_iam_policy_document.no_other_environments[each.key].json]

  statement {
    sid    = "OwnLogs"
    effect = "Allow"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = [
      "${local.arn.logs}:log-group:/aws/lambda/*-${each.key}:*",
      "${local.arn.logs}:log-group:/aws/vendedlogs/*-${each.key}:*",
      # API Gateway's CloudWatch role (modules/runs) writes the REST APIs' access logs.
      "${local.arn.logs}:log-group:/aws/apigateway/*-${each.key}:*",
    ]
  }

  statement {
    # Tracing, metrics, Lambda's VPC network interfaces and Step Functions' log delivery:
    # these actions support no resource-level permissions.
    sid    = "WithoutResourceLevelPermissions"
    effect = "Allow"
    actions = [
      "cloudwatch:PutMetricData",
      "ec2:AssignPrivateIpAddresses",
      "ec2:CreateNetworkInterface",
      "ec2:DeleteNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSubnets",
      "ec2:UnassignPrivateIpAddresses",
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:DescribeLogGroups",
      "logs:DescribeResourcePolicies",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:UpdateLogDelivery",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
      "xray:PutTelemetryRecords",
      "xray:PutTraceSegments",
    ]
    resources = ["*"]
  }

  statement {
    # The bastion's SSM agent: Session Manager's channels, the list its role grants
    # (shared/session_manager.tf); they support no resource-level permissions either.
    sid       = "SessionManagerChannels"
    effect    = "Allow"
    actions   = local.session_manager_channel_actions
    resources = ["*"]
  }

  statement {
    # The bastion's SSM agent registers its instance (another environment's is tagged
    # for it, so the deny below keeps it out).
    sid       = "OwnInstancesRegistration"
    effect    = "Allow"
    actions   = ["ssm:UpdateInstanceInformation"]
    resources = ["${local.arn.ec2}:instance/*"]
  }

  statement {
    sid    = "OwnObjects"
    effect = "Allow"
    actions = [
      "s3:AbortMultipartUpload",
      "s3:DeleteObject",
      "s3:GetBucketLocation",
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:ListBucket",
      "s3:ListBucketMultipartUploads",
      "s3:ListMultipartUploadParts",
      "s3:PutObject",
    ]
    resources = [
      "arn:${local.partition}:s3:::*-${each.key}",
      "arn:${local.partition}:s3:::*-${each.key}/*",
      "arn:${local.partition}:s3:::*-${each.key}-*",
      "arn:${local.partition}:s3:::*-${each.key}-*/*",
    ]
  }

  statement {
    sid    = "OwnTables"
    effect = "Allow"
    actions = [
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:DeleteItem",
      "dynamodb:DescribeStream",
      "dynamodb:DescribeTable",
      "dynamodb:GetItem",
      "dynamodb:GetRecords",
      "dynamodb:GetShardIterator",
      "dynamodb:ListStreams",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:Scan",
      "dynamodb:UpdateItem",
    ]
    resources = [
      "${local.arn.ddb}:table/*-${each.key}",
      "${local.arn.ddb}:table/*-${each.key}/*",
      "${local.arn.ddb}:table/*-${each.key}-*",
    ]
  }

  statement {
    sid    = "OwnQueuesTopicsEvents"
    effect = "Allow"
    actions = [
      "events:PutEvents",
      "sns:Publish",
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]
    resources = [
      "${local.arn.sqs}:*-${each.key}",
      "${local.arn.sqs}:*-${each.key}-*",
      "${local.arn.sns}:*-${each.key}",
      "${local.arn.sns}:*-${each.key}-*",
      # Manual triggers and Step Functions status events go to the default bus.
      "${local.arn.events}:event-bus/default",
      "${local.arn.events}:event-bus/*-${each.key}",
    ]
  }

  statement {
    sid    = "OwnFunctionsAndStateMachines"
    effect = "Allow"
    actions = [
      "lambda:InvokeFunction",
      "states:DescribeExecution",
      "states:DescribeMapRun",
      "states:DescribeStateMachine",
      "states:DescribeStateMachineForExecution",
      "states:ListExecutions",
      "states:ListMapRuns",
      "states:RedriveExecution",
      "states:SendTaskFailure",
      "states:SendTaskHeartbeat",
      "states:SendTaskSuccess",
      "states:StartExecution",
      "states:StartSyncExecution",
      "states:StopExecution",
      "states:UpdateMapRun",
    ]
    resources = [
      "${local.arn.lambda}:function:*-${each.key}",
      "${local.arn.lambda}:function:*-${each.key}:*",
      "${local.arn.states}:stateMachine:*-${each.key}",
      "${local.arn.states}:stateMachine:*-${each.key}/*",
      "${local.arn.states}:execution:*-${each.key}:*",
      "${local.arn.states}:execution:*-${each.key}/*",
      "${local.arn.states}:express:*-${each.key}:*",
      "${local.arn.states}:mapRun:*-${each.key}/*",
    ]
  }

  statement {
    # Step Functions' managed rules for .sync integrations (startExecution.sync:2).
    sid    = "StepFunctionsManagedRules"
    effect = "Allow"
    actions = [
      "events:DescribeRule",
      "events:PutRule",
      "events:PutTargets",
    ]
    resources = ["${local.arn.events}:rule/StepFunctions*"]
  }

  statement {
    sid    = "OwnSecrets"
    effect = "Allow"
    actions = [
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue",
    ]
    resources = [
      "${local.arn.secrets}:secret:*-${each.key}-*",
      "${local.arn.secrets}:secret:*-${each.key}/*",
      # RDS-managed master-user secrets (rds!cluster-<uuid>) carry no environment in
      # their name; the workload policies name each one.
      "${local.arn.secrets}:secret:rds!*",
    ]
  }

  statement {
    sid    = "OwnKeys"
    effect = "Allow"
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
    ]
    resources = ["${local.arn.kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }
}
