output "vpc_id" {
  description = "Id of the VPC (created or existing)."
  value       = local.vpc_id
}

output "private_subnet_ids" {
  description = "Private subnet ids, one per AZ: Lambda vpc_config and RDS/Aurora subnet groups."
  value       = local.private_subnet_ids
}

output "public_subnet_ids" {
  description = "Public subnet ids (NAT gateways), one per AZ."
  value       = local.public_subnet_ids
}

output "private_route_table_ids" {
  description = "Route tables of the private subnets."
  value       = local.private_route_ids
}

output "lambda_security_group_id" {
  description = "Security group for Lambda functions in the VPC (egress only)."
  value       = aws_security_group.lambda.id
}

output "database_security_group_id" {
  description = "Security group for RDS/Aurora: admits the database port from lambda_security_group_id (and bastion_security_group_id) only."
  value       = aws_security_group.database.id
}

output "nat_gateway_count" {
  description = "Number of NAT gateways created (1 in dev, one per AZ in prd)."
  value       = local.nat_gateway_count
}

output "availability_zones" {
  description = "Availability zones of the created subnets."
  value       = local.create_vpc ? local.azs : []
}

output "vpc_endpoint_ids" {
  description = "Ids of the VPC endpoints, keyed by service short name (s3, dynamodb, secretsmanager, ...)."
  value       = merge({ for k, e in aws_vpc_endpoint.gateway : k => e.id }, { for k, e in aws_vpc_endpoint.interface : k => e.id })
}

output "bastion_instance_id" {
  description = "Instance id of the operators' bastion (the target of `aws ssm start-session`); null when bastion_enabled is false."
  value       = one(aws_instance.bastion[*].id)
}

output "bastion_security_group_id" {
  description = "Security group of the bastion (admitted by the database group on the database port); null when bastion_enabled is false."
  value       = one(aws_security_group.bastion[*].id)
}
