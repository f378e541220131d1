variable "cidr_block" {
  type        = string
  description = "CIDR of the VPC (a /16 to /20). Private subnets take the first /20s (newbits 4), public subnets /24s from index 240 (newbits 8)."
  default     = "10.20.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 20
    error_message = "cidr_block must be a valid IPv4 CIDR between /16 and /20."
  }
}

variable "availability_zones" {
  type = object({
    count = optional(number, 2)
    names = optional(list(string), [])
  })
  description = "Availability zones of the private and public subnets: count (2 or 3), and names to take them from (empty: the region's first count available zones)."
  default     = {}
  nullable    = false

  validation {
    condition     = var.availability_zones.count >= 2 && var.availability_zones.count <= 3
    error_message = "availability_zones.count must be 2 or 3 (RDS/Aurora subnet groups need two AZs)."
  }
}

variable "enable_nat_gateway" {
  type        = bool
  description = "Create NAT gateway(s) so private subnets reach the internet (Salesforce, YouTube APIs)."
  default     = true
}

variable "create_vpc_endpoints" {
  type        = bool
  description = "Create the S3/DynamoDB gateway endpoints and the interface endpoints."
  default     = true
}

variable "database_port" {
  type        = number
  description = "Port the database security group admits from the Lambda security group."
  default     = 5432

  validation {
    condition     = var.database_port > 0 && var.database_port < 65536
    error_message = "database_port must be a TCP port."
  }
}
