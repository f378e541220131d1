# Write permissions of the apply role of one environment, in five managed policies
# (one inline policy could not hold them: a role's inline policies share 10,240
# characters). Every action is named; every resource is limited to this account and
# region and to this environment, by name (<pipeline-or-function>-<env>) where the
# service names resources, and by the Environment tag (set by the environments'
# default_tags) for KMS, EC2 and RDS, whose identifiers are generated. Reads
# (Describe/Get/List) come from ReadOnlyAccess, attached in main.tf; guardrails.tf
# holds the explicit denies. tests/policy.test.ts derives the actions every module
# resource type needs and evaluates these documents against them.

# -----------------------------------------------------------------------------
# IAM: workload roles under local.workload_path, always with this environment's boundary.
# -----------------------------------------------------------------------------

data "aws_iam_policy_document" "deploy_iam" {
  for_each = local.environments

  statement {
    sid    = "WorkloadRolesWithBoundary"
    effect = "Allow"
    actions = [
      "iam:CreateRole",
      "iam:DeleteRolePolicy",
      "iam:PutRolePermissionsBoundary",
      "iam:PutRolePolicy",
    ]
    resources = [
      "${local.arn.iam}:role${local.workload_path}*-${each.key}",
      "${local.arn.iam}:role${local.workload_path}*-${each.key}-*",
    ]

    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = ["${local.arn.iam}:policy/${local.workload_boundary_prefix}${each.key}"]
    }
  }

  statement {
    # Only the modules' own managed policies: never AdministratorAccess or another
    # AWS managed policy (the boundary would cap it, but there is no reason to allow it).
    sid       = "WorkloadPolicyAttachments"
    effect    = "Allow"
    actions   = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
    resources = ["${local.arn.iam}:role${local.workload_path}*-${each.key}", "${local.arn.iam}:role${local.workload_path}*-${each.key}-*"]

    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = ["${local.arn.iam}:policy/${local.workload_boundary_prefix}${each.key}"]
    }

    condition {
      test     = "ArnLike"
      variable = "iam:PolicyARN"
      values   = ["${local.arn.iam}:policy${local.workload_path}*"]
    }
  }

  statement {
    # iam:PermissionsBoundary does not apply to these: the role's own Environment tag does.
    sid    = "TaggedWorkloadRoles"
    effect = "Allow"
    actions = [
      "iam:DeleteRole",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
    ]
    resources = [
      "${local.arn.iam}:role${local.workload_path}*-${each.key}",
      "${local.arn.iam}:role${local.workload_path}*-${each.key}-*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    # CreateRole with tags is also authorized as iam:TagRole, before the role has any.
    sid       = "TagWorkloadRolesOnCreate"
    effect    = "Allow"
    actions   = ["iam:TagRole"]
    resources = ["${local.arn.iam}:role${local.workload_path}*-${each.key}", "${local.arn.iam}:role${local.workload_path}*-${each.key}-*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid    = "WorkloadManagedPolicies"
    effect = "Allow"
    actions = [
      "iam:CreatePolicy",
      "iam:CreatePolicyVersion",
      "iam:DeletePolicy",
      "iam:DeletePolicyVersion",
      "iam:SetDefaultPolicyVersion",
      "iam:TagPolicy",
      "iam:UntagPolicy",
    ]
    resources = [
      "${local.arn.iam}:policy${local.workload_path}*-${each.key}",
      "${local.arn.iam}:policy${local.workload_path}*-${each.key}-*",
    ]
  }

  statement {
    # Each service gets only roles of this environment, and only the services that run them.
    sid       = "PassWorkloadRoles"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = ["${local.arn.iam}:role${local.workload_path}*-${each.key}", "${local.arn.iam}:role${local.workload_path}*-${each.key}-*"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values = [
        "apigateway.amazonaws.com",
        "events.amazonaws.com",
        "lambda.amazonaws.com",
        "scheduler.amazonaws.com",
        "states.amazonaws.com",
      ]
    }
  }

  statement {
    # The one role EC2 gets: the operators' bastion of modules/network (<name>-<env>-bastion).
    # IfExists: iam:AddRoleToInstanceProfile checks PassRole without iam:PassedToService, so a
    # plain StringEquals would refuse the profile attachment; where the key is present (RunInstances)
    # it must still be EC2, and the resource pins the one role either way.
    sid       = "PassBastionRole"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = ["${local.arn.iam}:role${local.workload_path}*-${each.key}-bastion"]

    condition {
      test     = "StringEqualsIfExists"
      variable = "iam:PassedToService"
      values   = ["ec2.amazonaws.com"]
    }
  }

  statement {
    # ...in its instance profile, the only one the guardrails let the apply role manage.
    sid       = "BastionInstanceProfile"
    effect    = "Allow"
    actions   = local.instance_profile_writes
    resources = ["${local.arn.iam}:instance-profile${local.workload_path}*-${each.key}-bastion"]
  }

  statement {
    # RDS creates its service-linked role on the first database of the account.
    sid       = "ServiceLinkedRoles"
    effect    = "Allow"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["${local.arn.iam}:role/aws-service-role/rds.amazonaws.com/*"]

    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["rds.amazonaws.com"]
    }
  }
}

# -----------------------------------------------------------------------------
# Functions, logs, orchestration, queues, topics, alarms, dashboards: named resources.
# -----------------------------------------------------------------------------

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

# -----------------------------------------------------------------------------
# Buckets, tables, secrets (named) and KMS keys (tagged).
# -----------------------------------------------------------------------------

data "aws_iam_policy_document" "deploy_data" {
  for_each = local.environments

  statement {
    sid    = "BucketsTablesSecrets"
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
      "${local.arn.ddb}:table/*-${each.key}-*",
      "arn:${local.partition}:s3:::*-${each.key}",
      "arn:${local.partition}:s3:::*-${each.key}-*",
      # Secret ARNs end with -<6 random characters>; names may hold a "/".
      "${local.arn.secrets}:secret:*-${each.key}-*",
      "${local.arn.secrets}:secret:*-${each.key}/*",
    ]
  }

  statement {
    # force_destroy empties a bucket before deleting it (dev's buckets only set it).
    sid    = "EmptyBucketsOnDestroy"
    effect = "Allow"
    actions = [
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
    ]
    resources = [
      "arn:${local.partition}:s3:::*-${each.key}/*",
      "arn:${local.partition}:s3:::*-${each.key}-*/*",
    ]
  }

  statement {
    # manage_master_user_password: RDS creates the secret as the caller, named rds!<type>-<uuid>.
    sid       = "DatabaseMasterSecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:CreateSecret", "secretsmanager:TagResource"]
    resources = ["${local.arn.secrets}:secret:rds!*"]
  }

  statement {
    sid       = "CreateTaggedKeys"
    effect    = "Allow"
    actions   = ["kms:CreateKey"]
    resources = ["*"] # kms:CreateKey supports no resource-level permissions

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    # CreateKey with tags is also authorized as kms:TagResource.
    sid       = "TagKeysOnCreate"
    effect    = "Allow"
    actions   = ["kms:TagResource"]
    resources = ["${local.arn.kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid    = "ManageTaggedKeys"
    effect = "Allow"
    actions = [
      "kms:CreateAlias",
      "kms:DeleteAlias",
      "kms:DisableKeyRotation",
      "kms:EnableKeyRotation",
      "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:UpdateAlias",
      "kms:UpdateKeyDescription",
    ]
    resources = ["${local.arn.kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    # Alias operations are authorized on the alias and on its key (ManageTaggedKeys).
    sid       = "Aliases"
    effect    = "Allow"
    actions   = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
    resources = ["${local.arn.kms}:alias/*-${each.key}", "${local.arn.kms}:alias/*-${each.key}-*"]
  }

  statement {
    # RDS and DynamoDB encrypt with this environment's key through grants they create
    # as the caller; only for an AWS resource, never a grant to a principal of our choosing.
    sid       = "GrantsForEncryptedResources"
    effect    = "Allow"
    actions   = ["kms:CreateGrant"]
    resources = ["${local.arn.kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }

    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }

  statement {
    # RDS writes the master-user secret encrypted with the key given in master_user_secret_kms_key_id.
    sid       = "MasterSecretEncryption"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["${local.arn.kms}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }
}

# -----------------------------------------------------------------------------
# Network: tagged on create, then only resources tagged for this environment.
# -----------------------------------------------------------------------------

data "aws_iam_policy_document" "deploy_network" {
  for_each = local.environments

  statement {
    sid    = "CreateTaggedNetwork"
    effect = "Allow"
    actions = [
      "ec2:AllocateAddress",
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:CreateInternetGateway",
      "ec2:CreateNatGateway",
      "ec2:CreateRouteTable",
      "ec2:CreateSecurityGroup",
      "ec2:CreateSubnet",
      "ec2:CreateVpc",
      "ec2:CreateVpcEndpoint",
    ]
    resources = [
      "${local.arn.ec2}:elastic-ip/*",
      "${local.arn.ec2}:internet-gateway/*",
      "${local.arn.ec2}:natgateway/*",
      "${local.arn.ec2}:route-table/*",
      "${local.arn.ec2}:security-group/*",
      "${local.arn.ec2}:security-group-rule/*",
      "${local.arn.ec2}:subnet/*",
      "${local.arn.ec2}:vpc/*",
      "${local.arn.ec2}:vpc-endpoint/*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid       = "TagOnCreate"
    effect    = "Allow"
    actions   = ["ec2:CreateTags"]
    resources = ["${local.arn.ec2}:*"]

    condition {
      test     = "StringEquals"
      variable = "ec2:CreateAction"
      values = [
        "AllocateAddress",
        "AuthorizeSecurityGroupEgress",
        "AuthorizeSecurityGroupIngress",
        "CreateInternetGateway",
        "CreateNatGateway",
        "CreateRouteTable",
        "CreateSecurityGroup",
        "CreateSubnet",
        "CreateVpc",
        "CreateVpcEndpoint",
        "RunInstances",
      ]
    }
  }

  statement {
    # The only instance the modules run: the bastion (modules/network), a t4g.nano with
    # this environment's bastion profile and IMDSv2 required. Any other launch is refused.
    sid       = "RunTheBastion"
    effect    = "Allow"
    actions   = ["ec2:RunInstances"]
    resources = ["${local.arn.ec2}:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }

    condition {
      test     = "StringEquals"
      variable = "ec2:InstanceType"
      values   = ["t4g.nano"]
    }

    condition {
      test     = "ArnLike"
      variable = "ec2:InstanceProfile"
      values   = ["${local.arn.iam}:instance-profile${local.workload_path}*-${each.key}-bastion"]
    }

    condition {
      test     = "StringEquals"
      variable = "ec2:MetadataHttpTokens"
      values   = ["required"]
    }
  }

  statement {
    # Its root volume: encrypted, tagged for this environment.
    sid       = "BastionRootVolume"
    effect    = "Allow"
    actions   = ["ec2:RunInstances"]
    resources = ["${local.arn.ec2}:volume/*"]

    condition {
      test     = "Bool"
      variable = "ec2:Encrypted"
      values   = ["true"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    # Its image: Amazon's (the Amazon Linux 2023 public parameter); its network interface,
    # created untagged in the tagged subnet and security group ChangeTaggedNetwork names.
    sid     = "BastionImageAndInterface"
    effect  = "Allow"
    actions = ["ec2:RunInstances"]
    resources = [
      "arn:${local.partition}:ec2:${var.region}::image/*",
      "${local.arn.ec2}:network-interface/*",
    ]

    condition {
      test     = "StringEqualsIfExists"
      variable = "ec2:Owner"
      values   = ["amazon"]
    }
  }

  statement {
    # The resources a create names (the VPC of a subnet, the subnet of a NAT gateway...)
    # and every later change or delete.
    sid    = "ChangeTaggedNetwork"
    effect = "Allow"
    actions = [
      "ec2:AllocateAddress",
      "ec2:AssociateIamInstanceProfile",
      "ec2:AssociateRouteTable",
      "ec2:AttachInternetGateway",
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:CreateNatGateway",
      "ec2:CreateRoute",
      "ec2:CreateRouteTable",
      "ec2:CreateSecurityGroup",
      "ec2:CreateSubnet",
      "ec2:CreateTags",
      "ec2:CreateVpcEndpoint",
      "ec2:DeleteInternetGateway",
      "ec2:DeleteNatGateway",
      "ec2:DeleteRoute",
      "ec2:DeleteRouteTable",
      "ec2:DeleteSecurityGroup",
      "ec2:DeleteSubnet",
      "ec2:DeleteTags",
      "ec2:DeleteVpc",
      "ec2:DeleteVpcEndpoints",
      "ec2:DetachInternetGateway",
      "ec2:DisassociateAddress",
      "ec2:DisassociateIamInstanceProfile",
      "ec2:DisassociateRouteTable",
      "ec2:ModifyInstanceAttribute",
      "ec2:ModifyInstanceMetadataOptions",
      "ec2:ModifySecurityGroupRules",
      "ec2:ModifySubnetAttribute",
      "ec2:ModifyVpcAttribute",
      "ec2:ModifyVpcEndpoint",
      "ec2:ReleaseAddress",
      "ec2:ReplaceIamInstanceProfileAssociation",
      "ec2:ReplaceRoute",
      "ec2:RevokeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:RunInstances",
      "ec2:StartInstances",
      "ec2:StopInstances",
      "ec2:TerminateInstances",
      "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
      "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
    ]
    resources = ["${local.arn.ec2}:*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    # aws_default_security_group adopts the VPC's default group, which AWS creates
    # untagged: the apply may tag it for this environment and strip its rules while
    # it carries no Environment tag. Another environment's is tagged, so out of reach.
    sid    = "AdoptUntaggedDefaultSecurityGroup"
    effect = "Allow"
    actions = [
      "ec2:CreateTags",
      "ec2:RevokeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
    ]
    resources = ["${local.arn.ec2}:security-group/*"]

    condition {
      test     = "Null"
      variable = "aws:ResourceTag/Environment"
      values   = ["true"]
    }
  }

  statement {
    # Gateway and interface endpoints may name any AWS service in the region.
    sid       = "EndpointServices"
    effect    = "Allow"
    actions   = ["ec2:CreateVpcEndpoint"]
    resources = ["${local.arn.ec2}:vpc-endpoint-service/*"]
  }
}

# -----------------------------------------------------------------------------
# Databases: tagged on create, then only resources tagged for this environment.
# -----------------------------------------------------------------------------

data "aws_iam_policy_document" "deploy_databases" {
  for_each = local.environments

  statement {
    sid    = "CreateTaggedDatabases"
    effect = "Allow"
    actions = [
      "rds:AddTagsToResource",
      "rds:CreateDBCluster",
      "rds:CreateDBClusterParameterGroup",
      "rds:CreateDBInstance",
      "rds:CreateDBParameterGroup",
      "rds:CreateDBSubnetGroup",
    ]
    resources = [
      "${local.arn.rds}:cluster:*-${each.key}",
      "${local.arn.rds}:cluster-pg:*-${each.key}",
      "${local.arn.rds}:cluster-pg:*-${each.key}-*",
      "${local.arn.rds}:db:*-${each.key}",
      "${local.arn.rds}:db:*-${each.key}-*",
      "${local.arn.rds}:pg:*-${each.key}",
      "${local.arn.rds}:pg:*-${each.key}-*",
      "${local.arn.rds}:subgrp:*-${each.key}",
      "${local.arn.rds}:subgrp:*-${each.key}-*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid    = "ChangeTaggedDatabases"
    effect = "Allow"
    actions = [
      "rds:AddTagsToResource",
      "rds:CreateDBCluster",
      "rds:CreateDBInstance",
      "rds:DeleteDBCluster",
      "rds:DeleteDBClusterParameterGroup",
      "rds:DeleteDBInstance",
      "rds:DeleteDBParameterGroup",
      "rds:DeleteDBSubnetGroup",
      "rds:DisableHttpEndpoint",
      "rds:EnableHttpEndpoint",
      "rds:ModifyDBCluster",
      "rds:ModifyDBClusterParameterGroup",
      "rds:ModifyDBInstance",
      "rds:ModifyDBParameterGroup",
      "rds:ModifyDBSubnetGroup",
      "rds:RemoveTagsFromResource",
    ]
    resources = ["${local.arn.rds}:*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    # Creates name the engine's default groups (untagged, owned by AWS) when the
    # module sets none.
    sid     = "DefaultGroups"
    effect  = "Allow"
    actions = ["rds:CreateDBCluster", "rds:CreateDBInstance"]
    resources = [
      "${local.arn.rds}:cluster-pg:default.*",
      "${local.arn.rds}:og:default:*",
      "${local.arn.rds}:pg:default.*",
    ]
  }

  statement {
    # A database with deletion protection keeps a final snapshot when destroyed
    # (modules/postgres names it <identifier>-final-<suffix>).
    sid    = "FinalSnapshots"
    effect = "Allow"
    actions = [
      "rds:AddTagsToResource",
      "rds:CreateDBClusterSnapshot",
      "rds:CreateDBSnapshot",
    ]
    resources = [
      "${local.arn.rds}:cluster-snapshot:*-${each.key}-final*",
      "${local.arn.rds}:snapshot:*-${each.key}-final*",
    ]
  }
}

# -----------------------------------------------------------------------------
# The managed policies and their attachments to the apply role: one per document
# and environment, named terraform-deploy-<kind>-<env>.
# -----------------------------------------------------------------------------

locals {
  deploy_policies = {
    iam       = { document = data.aws_iam_policy_document.deploy_iam, about = "workload roles under ${local.workload_path} with their boundary" }
    compute   = { document = data.aws_iam_policy_document.deploy_compute, about = "functions, logs, REST APIs, orchestration, queues, topics, alarms" }
    data      = { document = data.aws_iam_policy_document.deploy_data, about = "buckets, tables, secrets, KMS keys" }
    network   = { document = data.aws_iam_policy_document.deploy_network, about = "VPC resources tagged Environment = <env>" }
    databases = { document = data.aws_iam_policy_document.deploy_databases, about = "RDS resources tagged Environment = <env>" }
  }

  # "<kind>-<env>" => { kind, env }
  deploy_policy_keys = {
    for pair in setproduct(keys(local.deploy_policies), var.environments) : join("-", pair) => { kind = pair[0], env = pair[1] }
  }
}

resource "aws_iam_policy" "deploy" {
  for_each = local.deploy_policy_keys

  name        = "terraform-deploy-${each.key}"
  description = "terraform apply of ${each.value.env}: ${replace(local.deploy_policies[each.value.kind].about, "<env>", each.value.env)}."
  policy      = local.deploy_policies[each.value.kind].document[each.value.env].json
}

resource "aws_iam_role_policy_attachment" "apply_deploy" {
  for_each = local.deploy_policy_keys

  role       = aws_iam_role.apply[each.value.env].name
  policy_arn = aws_iam_policy.deploy[each.key].arn
}
