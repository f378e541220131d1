# Offline module tests: `terraform test` with a mocked AWS provider
# (run by scripts/terraform/offline-check.sh).

mock_provider "aws" {
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
}

# dev unless a run says otherwise.
variables {
  environment = "dev"
}

run "dev_single_nat_gateway" {
  command = plan

  variables {
    single_nat_gateway = true
  }

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
    condition     = toset(keys(aws_vpc_endpoint.interface)) == toset(["secretsmanager", "logs", "sts", "states"])
    error_message = "interface endpoints must follow the variable"
  }

  assert {
    condition     = toset(keys(aws_vpc_endpoint.gateway)) == toset(["s3", "dynamodb"])
    error_message = "S3 and DynamoDB gateway endpoints expected"
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

run "database_admits_only_lambda_on_5432" {
  command = apply

  assert {
    condition     = aws_vpc_security_group_ingress_rule.database_from_lambda.from_port == 5432 && aws_vpc_security_group_ingress_rule.database_from_lambda.to_port == 5432
    error_message = "database security group must admit 5432 only"
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.database_from_lambda.referenced_security_group_id == aws_security_group.lambda.id
    error_message = "database security group must admit the Lambda security group only"
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.database_from_lambda.cidr_ipv4 == null
    error_message = "database security group must not admit a CIDR"
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
    condition     = output.vpc_id == "vpc-0123456789abcdef0" && output.private_subnet_ids == tolist(["subnet-aaaa", "subnet-bbbb"])
    error_message = "outputs must pass the existing ids through"
  }

  assert {
    condition     = aws_security_group.lambda.vpc_id == "vpc-0123456789abcdef0"
    error_message = "security groups must be created in the existing VPC"
  }
}

run "existing_vpc_needs_two_subnets" {
  command = plan

  variables {
    existing_vpc_id             = "vpc-0123456789abcdef0"
    existing_private_subnet_ids = ["subnet-aaaa"]
  }

  expect_failures = [var.existing_private_subnet_ids]
}

run "rejects_unknown_environment" {
  command = plan

  variables {
    environment = "stg"
  }

  expect_failures = [var.environment]
}
