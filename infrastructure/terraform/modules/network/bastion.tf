# Operators' only path to the private databases (docs/operations.md, "Reaching the
# databases"): an SSM Session Manager port forward through a small instance in a private
# subnet. Nothing reaches it from the network: no public IP, no inbound rule, no SSH key;
# the SSM agent dials out to the ssm/ssmmessages/ec2messages endpoints, and the instance
# may open only the database port inside the VPC. Off unless bastion_enabled.

locals {
  bastion        = var.bastion_enabled
  bastion_name   = "${local.prefix}-bastion"
  bastion_agents = local.bastion ? toset(["ssm", "ssmmessages", "ec2messages"]) : toset([])

  # Who may open which port to whom, inside the VPC: one rule each. The database group
  # admits the Lambda functions (and the bastion); the endpoints admit HTTPS from both.
  clients = {
    for k, c in {
      lambda  = { id = aws_security_group.lambda.id, what = "Lambda functions" }
      bastion = { id = one(aws_security_group.bastion[*].id), what = "the operators' bastion" }
    } : k => c if k == "lambda" || local.bastion
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# AWS's public parameter for the newest Amazon Linux 2023 (SSM agent preinstalled); read
# at the first apply only (ignore_changes below), so a new AMI does not replace the bastion.
data "aws_ssm_parameter" "bastion_ami" {
  count = local.bastion ? 1 : 0

  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
}

data "aws_iam_policy_document" "bastion_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

# What AmazonSSMManagedInstanceCore grants for Session Manager, and nothing else: the
# agent registers the instance and opens the session channels (no Run Command documents,
# no parameters, no inventory). The workload boundary allows exactly these.
data "aws_iam_policy_document" "bastion_ssm_agent" {
  statement {
    sid       = "RegisterThisInstance"
    actions   = ["ssm:UpdateInstanceInformation"]
    resources = ["arn:${data.aws_partition.current.partition}:ec2:${local.region}:${data.aws_caller_identity.current.account_id}:instance/*"]
  }

  statement {
    # Session Manager's message channels support no resource-level permissions.
    sid       = "SessionChannels"
    actions   = local.session_manager_channel_actions
    resources = ["*"]
  }
}

resource "aws_iam_role" "bastion" {
  count = local.bastion ? 1 : 0

  name                 = local.bastion_name
  description          = "SSM agent of the ${local.prefix} bastion (Session Manager port forwarding only)."
  path                 = var.iam_role_path
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy   = data.aws_iam_policy_document.bastion_trust.json
  tags                 = local.tags
}

resource "aws_iam_role_policy" "bastion" {
  count = local.bastion ? 1 : 0

  name   = "ssm-agent"
  role   = aws_iam_role.bastion[0].id
  policy = data.aws_iam_policy_document.bastion_ssm_agent.json
}

resource "aws_iam_instance_profile" "bastion" {
  count = local.bastion ? 1 : 0

  name = local.bastion_name
  path = var.iam_role_path
  role = aws_iam_role.bastion[0].name
  tags = local.tags
}

resource "aws_security_group" "bastion" {
  count = local.bastion ? 1 : 0

  name        = local.bastion_name
  description = "Bastion of ${local.prefix}: no inbound; the database port to the database group, HTTPS to the SSM endpoints."
  vpc_id      = local.vpc_id
  tags        = merge(local.tags, { Name = local.bastion_name })
}

resource "aws_vpc_security_group_egress_rule" "bastion" {
  for_each = {
    for k, r in {
      database  = { port = var.database_port, to = aws_security_group.database.id, what = "PostgreSQL to the database security group" }
      endpoints = { port = 443, to = one(aws_security_group.endpoints[*].id), what = "HTTPS to the SSM interface endpoints" }
    } : k => r if local.bastion
  }

  security_group_id            = aws_security_group.bastion[0].id
  description                  = each.value.what
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  referenced_security_group_id = each.value.to
  tags                         = local.tags
}

resource "aws_instance" "bastion" {
  count = local.bastion ? 1 : 0

  ami                         = data.aws_ssm_parameter.bastion_ami[0].insecure_value
  instance_type               = "t4g.nano"
  subnet_id                   = local.private_subnet_ids[0]
  vpc_security_group_ids      = [aws_security_group.bastion[0].id]
  iam_instance_profile        = aws_iam_instance_profile.bastion[0].name
  associate_public_ip_address = false

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required" # IMDSv2 only
    http_put_response_hop_limit = 1
  }

  root_block_device {
    encrypted             = true
    volume_type           = "gp3"
    delete_on_termination = true
  }

  # Tags at launch (root_block_device tags would come after it): the apply role may create
  # the volume only tagged for its environment, and the provider's default_tags skip volumes.
  volume_tags = merge(local.tags, { Name = local.bastion_name, Environment = var.environment })

  tags = merge(local.tags, { Name = local.bastion_name })

  lifecycle {
    # A new AMI is picked up by `terraform apply -replace=module.network.aws_instance.bastion[0]`.
    ignore_changes = [ami]
  }
}
