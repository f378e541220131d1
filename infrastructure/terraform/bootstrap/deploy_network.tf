# Apply role: network. Tagged on create, then only resources tagged for this environment.

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
