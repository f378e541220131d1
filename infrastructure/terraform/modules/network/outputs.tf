output "vpc" {
  description = "The VPC (created or existing): id; private_subnet_ids, one per AZ (Lambda vpc_config, RDS/Aurora subnet groups); public_subnet_ids (NAT gateways); private_route_table_ids; availability_zones of the created subnets; nat_gateway_count (1 in dev, one per AZ in prd); endpoint_ids, the VPC endpoints by service short name (s3, dynamodb, secretsmanager, ...)."
  value = {
    id                      = local.vpc_id
    private_subnet_ids      = local.private_subnet_ids
    public_subnet_ids       = local.public_subnet_ids
    private_route_table_ids = local.private_route_ids
    availability_zones      = local.create_vpc ? local.azs : []
    nat_gateway_count       = local.nat_gateway_count
    endpoint_ids            = merge({ for k, e in aws_vpc_endpoint.gateway : k => e.id }, { for k, e in aws_vpc_endpoint.interface : k => e.id })
  }
}

output "security_group_ids" {
  description = "Security groups: lambda, of Lambda functions in the VPC (no inbound); database, of RDS/Aurora, admitting the database port from lambda (and bastion) only; bastion, of the operators' bastion (null when bastion_enabled is false)."
  value = {
    lambda   = aws_security_group.lambda.id
    database = aws_security_group.database.id
    bastion  = one(aws_security_group.bastion[*].id)
  }
}

output "bastion_instance_id" {
  description = "Instance id of the operators' bastion (the target of `aws ssm start-session`); null when bastion_enabled is false."
  value       = one(aws_instance.bastion[*].id)
}
