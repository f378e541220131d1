# VPC for the pipelines: private subnets (Lambdas, RDS/Aurora) in two or three AZs,
# public subnets with NAT, VPC endpoints so functions reach AWS privately, and the
# Lambda / database security groups (and, when enabled, the operators' bastion: bastion.tf).
# An environment may pass an existing VPC instead.

data "aws_region" "current" {}

data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  prefix     = local.qualified_name
  create_vpc = var.existing_vpc_id == null
  region     = data.aws_region.current.id

  az_count = var.availability_zones.count
  azs      = slice(length(var.availability_zones.names) > 0 ? var.availability_zones.names : data.aws_availability_zones.available.names, 0, local.az_count)

  nat_gateway_count = local.create_vpc && var.enable_nat_gateway ? (var.single_nat_gateway ? 1 : local.az_count) : 0

  vpc_id             = local.create_vpc ? aws_vpc.this[0].id : var.existing_vpc_id
  private_subnet_ids = local.create_vpc ? aws_subnet.private[*].id : var.existing_private_subnet_ids
  public_subnet_ids  = local.create_vpc ? aws_subnet.public[*].id : var.existing_public_subnet_ids
  private_route_ids  = local.create_vpc ? aws_route_table.private[*].id : var.existing_private_route_table_ids

  gateway_endpoints = var.create_vpc_endpoints && (local.create_vpc || length(var.existing_private_route_table_ids) > 0) ? toset(["s3", "dynamodb"]) : toset([])
  # The bastion's SSM agent reaches AWS only through its endpoints, whatever create_vpc_endpoints says.
  interface_endpoints = setunion(var.create_vpc_endpoints ? var.interface_endpoints : [], local.bastion_agents)

  tags = merge(var.tags, { Pipeline = var.name })
}

# ---------------------------------------------------------------------------
# VPC and subnets
# ---------------------------------------------------------------------------

resource "aws_vpc" "this" {
  count = local.create_vpc ? 1 : 0

  cidr_block           = var.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true # required by interface endpoints' private DNS
  tags                 = merge(local.tags, { Name = local.prefix })
}

# Lock down the default security group: nothing uses it, nothing may pass it.
resource "aws_default_security_group" "this" {
  count = local.create_vpc ? 1 : 0

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = "${local.prefix}-default-deny" })
}

resource "aws_subnet" "private" {
  count = local.create_vpc ? local.az_count : 0

  vpc_id            = aws_vpc.this[0].id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.cidr_block, 4, count.index)
  tags              = merge(local.tags, { Name = "${local.prefix}-private-${local.azs[count.index]}", Tier = "private" })
}

resource "aws_subnet" "public" {
  count = local.create_vpc ? local.az_count : 0

  vpc_id            = aws_vpc.this[0].id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.cidr_block, 8, 240 + count.index)
  # NAT gateways get Elastic IPs; nothing else is launched here, so no auto-assigned public IPs.
  map_public_ip_on_launch = false
  tags                    = merge(local.tags, { Name = "${local.prefix}-public-${local.azs[count.index]}", Tier = "public" })
}

# ---------------------------------------------------------------------------
# Internet access: IGW for public subnets, NAT for private subnets.
# ---------------------------------------------------------------------------

resource "aws_internet_gateway" "this" {
  count = local.create_vpc ? 1 : 0

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = local.prefix })
}

resource "aws_route_table" "public" {
  count = local.create_vpc ? 1 : 0

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = "${local.prefix}-public" })
}

resource "aws_route" "public_internet" {
  count = local.create_vpc ? 1 : 0

  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this[0].id
}

resource "aws_route_table_association" "public" {
  count = local.create_vpc ? local.az_count : 0

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_eip" "nat" {
  count = local.nat_gateway_count

  domain = "vpc"
  tags   = merge(local.tags, { Name = "${local.prefix}-nat-${local.azs[count.index]}" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count = local.nat_gateway_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
  tags          = merge(local.tags, { Name = "${local.prefix}-${local.azs[count.index]}" })

  depends_on = [aws_internet_gateway.this]
}

# One private route table per AZ, so prd (one NAT per AZ) keeps traffic in-zone.
resource "aws_route_table" "private" {
  count = local.create_vpc ? local.az_count : 0

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = "${local.prefix}-private-${local.azs[count.index]}" })
}

resource "aws_route" "private_nat" {
  count = local.nat_gateway_count > 0 ? local.az_count : 0

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[var.single_nat_gateway ? 0 : count.index].id
}

resource "aws_route_table_association" "private" {
  count = local.create_vpc ? local.az_count : 0

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

# ---------------------------------------------------------------------------
# Security groups
# ---------------------------------------------------------------------------

resource "aws_security_group" "lambda" {
  name        = "${local.prefix}-lambda"
  description = "Lambda functions of ${local.prefix}: no inbound, HTTPS out and the database port to the database group."
  vpc_id      = local.vpc_id
  tags        = merge(local.tags, { Name = "${local.prefix}-lambda" })
}

resource "aws_vpc_security_group_egress_rule" "lambda_https" {
  security_group_id = aws_security_group.lambda.id
  description       = "HTTPS to AWS endpoints and external APIs (through NAT)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
  tags              = local.tags
}

resource "aws_vpc_security_group_egress_rule" "lambda_database" {
  security_group_id            = aws_security_group.lambda.id
  description                  = "PostgreSQL to the database security group"
  ip_protocol                  = "tcp"
  from_port                    = var.database_port
  to_port                      = var.database_port
  referenced_security_group_id = aws_security_group.database.id
  tags                         = local.tags
}

resource "aws_security_group" "database" {
  name        = "${local.prefix}-database"
  description = "RDS/Aurora of ${local.prefix}: admits the database port from the Lambda security group only."
  vpc_id      = local.vpc_id
  tags        = merge(local.tags, { Name = "${local.prefix}-database" })
}

resource "aws_vpc_security_group_ingress_rule" "database" {
  for_each = local.clients

  security_group_id            = aws_security_group.database.id
  description                  = "PostgreSQL from ${each.value.what}"
  ip_protocol                  = "tcp"
  from_port                    = var.database_port
  to_port                      = var.database_port
  referenced_security_group_id = each.value.id
  tags                         = local.tags
}

resource "aws_security_group" "endpoints" {
  count = length(local.interface_endpoints) > 0 ? 1 : 0

  name        = "${local.prefix}-endpoints"
  description = "Interface VPC endpoints of ${local.prefix}: HTTPS from the Lambda security group."
  vpc_id      = local.vpc_id
  tags        = merge(local.tags, { Name = "${local.prefix}-endpoints" })
}

resource "aws_vpc_security_group_ingress_rule" "endpoints" {
  for_each = length(local.interface_endpoints) > 0 ? local.clients : {}

  security_group_id            = aws_security_group.endpoints[0].id
  description                  = "HTTPS from ${each.value.what}"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = each.value.id
  tags                         = local.tags
}

# The single rules these were before the bastion.
moved {
  from = aws_vpc_security_group_ingress_rule.database_from_lambda
  to   = aws_vpc_security_group_ingress_rule.database["lambda"]
}

moved {
  from = aws_vpc_security_group_ingress_rule.endpoints_from_lambda[0]
  to   = aws_vpc_security_group_ingress_rule.endpoints["lambda"]
}

# ---------------------------------------------------------------------------
# VPC endpoints
# ---------------------------------------------------------------------------

resource "aws_vpc_endpoint" "gateway" {
  for_each = local.gateway_endpoints

  vpc_id            = local.vpc_id
  service_name      = "com.amazonaws.${local.region}.${each.key}"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = local.private_route_ids
  tags              = merge(local.tags, { Name = "${local.prefix}-${each.key}" })
}

resource "aws_vpc_endpoint" "interface" {
  for_each = local.interface_endpoints

  vpc_id              = local.vpc_id
  service_name        = "com.amazonaws.${local.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = local.private_subnet_ids
  security_group_ids  = [aws_security_group.endpoints[0].id]
  private_dns_enabled = true
  tags                = merge(local.tags, { Name = "${local.prefix}-${each.key}" })
}
