# Write permissions of the apply role of one environment: every action named, every
# resource limited to this account and region and, where the service allows it,
# to names ending in -<env> (the repository's naming rule: <pipeline-or-function>-<env>).
# Reads (Describe/Get/List) come from ReadOnlyAccess, attached in main.tf.

data "aws_iam_policy_document" "deploy" {
  for_each = local.environments

  statement {
    sid    = "Roles"
    effect = "Allow"
    actions = [
      "iam:AttachRolePolicy",
      "iam:CreateRole",
      "iam:DeleteRole",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:PassRole",
      "iam:PutRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
    ]
    resources = ["${local.arn.iam}:role/*-${each.key}"]
  }

  statement {
    sid       = "ServiceLinkedRoles"
    effect    = "Allow"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["${local.arn.iam}:role/aws-service-role/*"]

    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["rds.amazonaws.com", "scheduler.amazonaws.com"]
    }
  }

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
    # aws_lambda_invocation: csv-processor applies its schema by invoking csv-migrate-<env> on apply.
    sid       = "RunMigrations"
    effect    = "Allow"
    actions   = ["lambda:InvokeFunction"]
    resources = ["${local.arn.lambda}:function:*-migrate-${each.key}"]
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
    ]
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
      "${local.arn.cw}:alarm:*-${each.key}-*",
      "${local.arn.cw}:dashboard/*-${each.key}",
      "${local.arn.sns}:*-${each.key}",
      "${local.arn.sns}:*-${each.key}:*",
      "${local.arn.sqs}:*-${each.key}",
      "${local.arn.sqs}:*-${each.key}-*",
    ]
  }

  statement {
    sid       = "CreateKeys"
    effect    = "Allow"
    actions   = ["kms:CreateKey"]
    resources = ["*"] # kms:CreateKey supports no resource-level permissions
  }

  statement {
    sid    = "ManageKeys"
    effect = "Allow"
    actions = [
      "kms:CreateAlias",
      "kms:DeleteAlias",
      "kms:EnableKeyRotation",
      "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:UpdateAlias",
      "kms:UpdateKeyDescription",
    ]
    resources = [
      "${local.arn.kms}:key/*",
      "${local.arn.kms}:alias/*-${each.key}-*",
    ]
  }

  statement {
    sid    = "Network"
    effect = "Allow"
    actions = [
      "ec2:AllocateAddress",
      "ec2:AssociateRouteTable",
      "ec2:AttachInternetGateway",
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:CreateInternetGateway",
      "ec2:CreateNatGateway",
      "ec2:CreateRoute",
      "ec2:CreateRouteTable",
      "ec2:CreateSecurityGroup",
      "ec2:CreateSubnet",
      "ec2:CreateTags",
      "ec2:CreateVpc",
      "ec2:CreateVpcEndpoint",
      "ec2:DeleteInternetGateway",
      "ec2:DeleteNatGateway",
      "ec2:DeleteNetworkInterface",
      "ec2:DeleteRoute",
      "ec2:DeleteRouteTable",
      "ec2:DeleteSecurityGroup",
      "ec2:DeleteSubnet",
      "ec2:DeleteTags",
      "ec2:DeleteVpc",
      "ec2:DeleteVpcEndpoints",
      "ec2:DetachInternetGateway",
      "ec2:DisassociateAddress",
      "ec2:DisassociateRouteTable",
      "ec2:ModifySecurityGroupRules",
      "ec2:ModifySubnetAttribute",
      "ec2:ModifyVpcAttribute",
      "ec2:ModifyVpcEndpoint",
      "ec2:ReleaseAddress",
      "ec2:ReplaceRoute",
      "ec2:RevokeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
      "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
    ]
    resources = ["${local.arn.ec2}:*"]
  }

  statement {
    sid    = "PipelineData"
    effect = "Allow"
    actions = [
      "dynamodb:CreateTable",
      "dynamodb:DeleteTable",
      "dynamodb:TagResource",
      "dynamodb:UntagResource",
      "dynamodb:UpdateContinuousBackups",
      "dynamodb:UpdateTable",
      "dynamodb:UpdateTimeToLive",
      "s3:CreateBucket",
      "s3:DeleteBucket",
      "s3:DeleteBucketPolicy",
      "s3:PutBucketNotification",
      "s3:PutBucketOwnershipControls",
      "s3:PutBucketPolicy",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketTagging",
      "s3:PutBucketVersioning",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
      "secretsmanager:CreateSecret",
      "secretsmanager:DeleteSecret",
      "secretsmanager:TagResource",
      "secretsmanager:UntagResource",
      "secretsmanager:UpdateSecret",
    ]
    resources = [
      "${local.arn.ddb}:table/*-${each.key}",
      "arn:${local.partition}:s3:::*-${each.key}",
      "arn:${local.partition}:s3:::*-${each.key}-*",
      "${local.arn.secrets}:secret:*-${each.key}*",
      "${local.arn.secrets}:secret:rds!*",
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
      "${local.arn.events}:rule/*-${each.key}*",
      "${local.arn.sched}:schedule/*/*-${each.key}*",
      "${local.arn.sched}:schedule-group/*-${each.key}",
      "${local.arn.states}:stateMachine:*-${each.key}",
    ]
  }

  statement {
    sid    = "Databases"
    effect = "Allow"
    actions = [
      "rds:AddTagsToResource",
      "rds:CreateDBCluster",
      "rds:CreateDBClusterParameterGroup",
      "rds:CreateDBInstance",
      "rds:CreateDBSubnetGroup",
      "rds:DeleteDBCluster",
      "rds:DeleteDBClusterParameterGroup",
      "rds:DeleteDBInstance",
      "rds:DeleteDBSubnetGroup",
      "rds:ModifyDBCluster",
      "rds:ModifyDBClusterParameterGroup",
      "rds:ModifyDBInstance",
      "rds:ModifyDBSubnetGroup",
      "rds:RemoveTagsFromResource",
    ]
    resources = ["${local.arn.rds}:*"]
  }
}
