# Defined once and linked into the network module and the environment roots that pass
# these settings to it: the network is shaped by the same inputs with the same checks.

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for all AZs (cheaper, dev) instead of one per AZ (resilient, prd)."
  default     = true
}

variable "interface_endpoints" {
  type        = list(string)
  description = "Interface VPC endpoints to create (service short names). Secrets Manager is always needed by functions in the VPC; logs, sts and states are optional; bastion_enabled adds ssm, ssmmessages and ec2messages."
  default     = ["secretsmanager"]

  validation {
    condition = alltrue([
      for s in var.interface_endpoints : contains(["secretsmanager", "logs", "sts", "states", "sqs", "sns", "monitoring", "kms", "lambda", "xray", "ssm", "ssmmessages", "ec2messages"], s)
    ])
    error_message = "interface_endpoints may only contain secretsmanager, logs, sts, states, sqs, sns, monitoring, kms, lambda, xray, ssm, ssmmessages, ec2messages."
  }
}

variable "bastion_enabled" {
  type        = bool
  description = "Create the operators' bastion: a t4g.nano in a private subnet, reached only through SSM Session Manager port forwarding (`make db-tunnel`), with the ssm, ssmmessages and ec2messages endpoints it needs (about 3 USD a month for the instance, about 10 USD per endpoint and AZ). Off by default: turn it on in an environment while operators need the databases."
  default     = false
}

variable "existing_vpc_id" {
  type        = string
  description = "Use this existing VPC instead of creating one (then existing_private_subnet_ids is required)."
  default     = null
}

variable "existing_private_subnet_ids" {
  type        = list(string)
  description = "Private subnet ids of the existing VPC (at least two AZs). Used only with existing_vpc_id."
  default     = []

  validation {
    condition     = var.existing_vpc_id == null || length(var.existing_private_subnet_ids) >= 2
    error_message = "existing_private_subnet_ids needs at least two subnets (two AZs) when existing_vpc_id is set."
  }
}

variable "existing_public_subnet_ids" {
  type        = list(string)
  description = "Public subnet ids of the existing VPC (informational output only). Used only with existing_vpc_id."
  default     = []
}

variable "existing_private_route_table_ids" {
  type        = list(string)
  description = "Route tables of the existing private subnets, for the S3/DynamoDB gateway endpoints. Empty skips the gateway endpoints."
  default     = []
}
