# Linked into the pipeline modules that create an Aurora cluster in the private subnets
# (csv-processor, etl): where their databases and in-VPC functions run. The others declare their
# own private_subnet_ids (batch-scheduler's instance needs one subnet, salesforce-extract none).

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets (network module output vpc.private_subnet_ids) of the pipeline's databases and in-VPC functions; S3 is reached through the VPC endpoint or NAT."

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "Aurora needs subnets in at least two availability zones."
  }
}

variable "database_security_group_id" {
  type        = string
  description = "Security group of the pipeline's created databases, admitting PostgreSQL from lambda_security_group_id (network module output security_group_ids.database)."
}
