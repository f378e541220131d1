# Offline module tests: `terraform test` with a mocked AWS provider
# (run by scripts/terraform/offline-check.sh).

mock_provider "aws" {
  # The shared mocks (caller identity, a valid policy document, ARNs); what only this module
  # reads is mocked here.
  source = "../../tests/mocks/aws"

  mock_data "aws_availability_zones" {
    defaults = {
      names = ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]
    }
  }

  mock_data "aws_region" {
    defaults = {
      id = "ap-northeast-1"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_ssm_parameter" {
    defaults = {
      insecure_value = "ami-0123456789abcdef0"
    }
  }
}

# dev unless a run says otherwise.
variables {
  name                     = "platform"
  environment              = "dev"
  permissions_boundary_arn = "arn:aws:iam::123456789012:policy/pipelines-workload-boundary-dev"
}

# The defaults, as dev takes them: one NAT gateway, no bastion.
run "dev_defaults" {
  command = apply

  assert {
    condition     = length(aws_nat_gateway.this) == 1
    error_message = "dev must have exactly one NAT gateway"
  }

  assert {
    condition     = length(aws_subnet.private) == 2 && length(aws_subnet.public) == 2
    error_message = "two private and two public subnets expected"
  }

  assert {
    condition     = length(aws_route.private_nat) == 2
    error_message = "every private route table needs a default route through NAT"
  }

  assert {
    condition     = aws_vpc.this[0].tags["Name"] == "platform-dev"
    error_message = "VPC must be named <name>-<env>"
  }

  assert {
    condition     = aws_subnet.private[0].availability_zone != aws_subnet.private[1].availability_zone
    error_message = "private subnets must be in two AZs"
  }

  assert {
    condition     = keys(aws_vpc_security_group_ingress_rule.database) == ["lambda"]
    error_message = "without the bastion the database security group must admit the Lambda security group only"
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.database["lambda"].from_port == 5432 && aws_vpc_security_group_ingress_rule.database["lambda"].to_port == 5432
    error_message = "database security group must admit 5432 only"
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.database["lambda"].referenced_security_group_id == aws_security_group.lambda.id
    error_message = "database security group must admit the Lambda security group"
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.database["lambda"].cidr_ipv4 == null
    error_message = "database security group must not admit a CIDR"
  }

  assert {
    condition     = length(aws_instance.bastion) == 0 && length(aws_iam_role.bastion) == 0 && length(aws_security_group.bastion) == 0
    error_message = "no bastion unless bastion_enabled"
  }

  assert {
    condition     = keys(aws_vpc_endpoint.interface) == ["secretsmanager"]
    error_message = "no SSM endpoints without the bastion"
  }

  assert {
    condition     = output.bastion_instance_id == null && output.security_group_ids.bastion == null
    error_message = "bastion outputs must be null when it is off"
  }
}

run "prd_one_nat_gateway_per_az" {
  command = plan

  variables {
    environment         = "prd"
    single_nat_gateway  = false
    interface_endpoints = ["secretsmanager", "logs", "sts", "states"]
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 2
    error_message = "prd must have one NAT gateway per AZ"
  }

  assert {
    condition     = toset(keys(aws_vpc_endpoint.interface)) == toset(["secretsmanager", "logs", "sts", "states"]) && toset(keys(aws_vpc_endpoint.gateway)) == toset(["s3", "dynamodb"])
    error_message = "interface endpoints must follow the variable (got ${jsonencode(keys(aws_vpc_endpoint.interface))}), with the S3 and DynamoDB gateway endpoints (got ${jsonencode(keys(aws_vpc_endpoint.gateway))})"
  }

  assert {
    condition     = aws_vpc_endpoint.interface["secretsmanager"].service_name == "com.amazonaws.ap-northeast-1.secretsmanager"
    error_message = "endpoint service name must use the region"
  }

  assert {
    condition     = aws_security_group.lambda.name == "platform-prd-lambda"
    error_message = "Lambda security group naming"
  }
}

run "bastion_reaches_only_the_databases_through_ssm" {
  command = apply

  variables {
    bastion_enabled = true
  }

  assert {
    condition     = aws_instance.bastion[0].instance_type == "t4g.nano" && aws_instance.bastion[0].ami == "ami-0123456789abcdef0"
    error_message = "bastion: t4g.nano from the Amazon Linux 2023 arm64 public parameter"
  }

  assert {
    condition     = data.aws_ssm_parameter.bastion_ami[0].name == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
    error_message = "the AMI must come from AWS's public Amazon Linux 2023 arm64 parameter"
  }

  assert {
    condition     = aws_instance.bastion[0].subnet_id == aws_subnet.private[0].id && aws_instance.bastion[0].associate_public_ip_address == false
    error_message = "bastion must sit in a private subnet without a public IP"
  }

  assert {
    condition     = aws_instance.bastion[0].metadata_options[0].http_tokens == "required"
    error_message = "bastion must require IMDSv2"
  }

  assert {
    condition     = aws_instance.bastion[0].root_block_device[0].encrypted == true
    error_message = "bastion root volume must be encrypted"
  }

  assert {
    condition     = aws_instance.bastion[0].volume_tags["Environment"] == "dev"
    error_message = "the root volume must carry the Environment tag the apply role's conditions need"
  }

  assert {
    condition     = aws_iam_role.bastion[0].name == "platform-dev-bastion" && aws_iam_role.bastion[0].path == "/pipelines/" && aws_iam_role.bastion[0].permissions_boundary == "arn:aws:iam::123456789012:policy/pipelines-workload-boundary-dev"
    error_message = "bastion role must follow the workload role contract (name, path, boundary)"
  }

  assert {
    condition     = aws_iam_instance_profile.bastion[0].path == "/pipelines/" && aws_instance.bastion[0].iam_instance_profile == aws_iam_instance_profile.bastion[0].name
    error_message = "bastion must run with its instance profile under /pipelines/"
  }

  assert {
    condition     = toset(keys(aws_vpc_endpoint.interface)) == toset(["secretsmanager", "ssm", "ssmmessages", "ec2messages"])
    error_message = "the bastion adds the ssm, ssmmessages and ec2messages endpoints"
  }

  assert {
    condition = (
      aws_vpc_security_group_egress_rule.bastion["database"].from_port == 5432
      && aws_vpc_security_group_egress_rule.bastion["database"].referenced_security_group_id == aws_security_group.database.id
      && aws_vpc_security_group_egress_rule.bastion["endpoints"].from_port == 443
      && aws_vpc_security_group_egress_rule.bastion["endpoints"].referenced_security_group_id == aws_security_group.endpoints[0].id
      && length(aws_vpc_security_group_egress_rule.bastion) == 2
    )
    error_message = "bastion egress: only the database port to the database group and HTTPS to the endpoints"
  }

  assert {
    condition     = length([for r in aws_vpc_security_group_ingress_rule.database : r if r.referenced_security_group_id == aws_security_group.bastion[0].id && r.from_port == 5432]) == 1
    error_message = "the database security group must admit the bastion on the database port"
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.endpoints["bastion"].referenced_security_group_id == aws_security_group.bastion[0].id
    error_message = "the endpoints must admit HTTPS from the bastion"
  }

  assert {
    condition     = length([for r in concat(values(aws_vpc_security_group_ingress_rule.database), values(aws_vpc_security_group_ingress_rule.endpoints)) : r if r.security_group_id == aws_security_group.bastion[0].id]) == 0
    error_message = "nothing may be admitted into the bastion"
  }

  assert {
    condition     = output.bastion_instance_id == aws_instance.bastion[0].id && output.security_group_ids.bastion == aws_security_group.bastion[0].id
    error_message = "outputs must name the bastion and its security group"
  }
}

run "bastion_keeps_its_endpoints_without_the_others" {
  command = plan

  variables {
    bastion_enabled      = true
    create_vpc_endpoints = false
  }

  assert {
    condition     = toset(keys(aws_vpc_endpoint.interface)) == toset(["ssm", "ssmmessages", "ec2messages"]) && length(aws_vpc_endpoint.gateway) == 0
    error_message = "the bastion needs its SSM endpoints even when the others are off"
  }
}

run "existing_vpc" {
  command = plan

  variables {
    environment                      = "prd"
    existing_vpc_id                  = "vpc-0123456789abcdef0"
    existing_private_subnet_ids      = ["subnet-aaaa", "subnet-bbbb"]
    existing_private_route_table_ids = ["rtb-aaaa"]
  }

  assert {
    condition     = length(aws_vpc.this) == 0 && length(aws_subnet.private) == 0 && length(aws_nat_gateway.this) == 0
    error_message = "no VPC, subnets or NAT may be created for an existing VPC"
  }

  assert {
    condition     = output.vpc.id == "vpc-0123456789abcdef0" && output.vpc.private_subnet_ids == tolist(["subnet-aaaa", "subnet-bbbb"]) && aws_security_group.lambda.vpc_id == "vpc-0123456789abcdef0"
    error_message = "outputs must pass the existing ids through (got ${output.vpc.id}), and security groups must be created in the existing VPC (got ${aws_security_group.lambda.vpc_id})"
  }
}

# Each invalid input is reported (Terraform fails the run for any expected failure missing).
run "rejects_invalid_inputs" {
  command = plan

  variables {
    environment                 = "stg"
    existing_vpc_id             = "vpc-0123456789abcdef0"
    existing_private_subnet_ids = ["subnet-aaaa"]
    availability_zones          = { count = 4 }
  }

  expect_failures = [var.environment, var.existing_private_subnet_ids, var.availability_zones]
}
