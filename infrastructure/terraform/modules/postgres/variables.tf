variable "name" {
  type        = string
  description = "Pipeline name (e.g. \"batch-scheduler\"); the cluster or instance is <name>-<environment>."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.name))
    error_message = "name must be lower-case kebab-case."
  }
}

variable "mode" {
  type        = string
  description = "\"aurora-serverless\" (Aurora Serverless v2 cluster), \"instance\" (RDS PostgreSQL instance) or \"existing\" (a server given in existing; nothing is created)."

  validation {
    condition     = contains(["aurora-serverless", "instance", "existing"], var.mode)
    error_message = "mode must be \"aurora-serverless\", \"instance\" or \"existing\"."
  }
}

variable "existing" {
  type = object({
    host        = string
    port        = optional(number, 5432)
    name        = string
    secret_arn  = string
    reader_host = optional(string)
  })
  description = "The server to use with mode = \"existing\": host, port, database name, and the ARN of a secret holding {\"username\",\"password\"} (the RDS-managed master secret format)."
  default     = null

  validation {
    condition     = var.mode != "existing" || var.existing != null
    error_message = "Set existing when mode is \"existing\"."
  }
}

variable "database_name" {
  type        = string
  description = "Database created in the new server."
  default     = null

  validation {
    condition     = var.database_name == null || can(regex("^[a-z][a-z0-9_]{0,62}$", coalesce(var.database_name, "x")))
    error_message = "database_name must start with a letter and contain only a-z, 0-9 and _ (at most 63 characters)."
  }
}

variable "master_username" {
  type        = string
  description = "Master user of the new server; its password is managed by RDS in Secrets Manager. Changing it replaces the server."
  default     = "postgres_admin"
}

variable "engine_version" {
  type        = string
  description = "Engine version: Aurora PostgreSQL \"16.6\", or the PostgreSQL major (\"17\") of an instance. Its major version names the parameter group family."
  default     = "17"
}

# --- network ---

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets (network module output vpc.private_subnet_ids), in at least two availability zones."
  default     = []

  validation {
    condition     = length(var.subnet_ids) == 0 || length(var.subnet_ids) >= 2
    error_message = "subnet_ids must name subnets in at least two availability zones."
  }
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups of the server (network module output security_group_ids.database, which admits PostgreSQL from the Lambda security group)."
  default     = []
}

# --- protection and encryption ---

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the server (prd). Also decides the final snapshot: taken when protected, skipped otherwise."
}

variable "final_snapshot" {
  type        = bool
  description = "Take a uniquely named final snapshot on destroy. null follows deletion_protection; set true to keep one when destroying a protected database after switching protection off."
  default     = null
}

variable "kms_key_arn" {
  type        = string
  description = "The pipeline's customer-managed key for storage and the master secret (pipeline-key module). null uses the AWS-managed keys."
  default     = null
}

variable "ca_cert_identifier" {
  type        = string
  description = "Server certificate authority of an instance (Aurora uses the cluster default)."
  default     = "rds-ca-rsa2048-g1"
}

variable "backup_retention_days" {
  type        = number
  description = "Days of automated backups (1-35)."
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 1 and 35."
  }
}

# --- parameters ---

variable "log_min_duration_statement_ms" {
  type        = number
  description = "Statements slower than this (ms) are written to the PostgreSQL log; -1 turns it off."
  default     = 1000
}

variable "parameters" {
  type        = map(string)
  description = "Extra server parameters, merged over the module's (rds.force_ssl = 1 cannot be switched off: TLS is enforced everywhere)."
  default     = {}

  validation {
    condition     = lookup(var.parameters, "rds.force_ssl", "1") == "1"
    error_message = "rds.force_ssl must stay 1: every database server enforces TLS."
  }
}

# --- Aurora Serverless v2 ---

variable "min_capacity" {
  type        = number
  description = "Aurora minimum ACUs; 0 lets the cluster pause after seconds_until_auto_pause."
  default     = 0

  validation {
    condition     = var.min_capacity >= 0 && var.min_capacity <= 256
    error_message = "min_capacity must be between 0 and 256 ACUs."
  }
}

variable "max_capacity" {
  type        = number
  description = "Aurora maximum ACUs."
  default     = 2

  validation {
    condition     = var.max_capacity >= 1 && var.max_capacity <= 256
    error_message = "max_capacity must be between 1 and 256 ACUs."
  }
}

variable "seconds_until_auto_pause" {
  type        = number
  description = "Idle seconds before an Aurora cluster with min_capacity 0 pauses (300-86400)."
  default     = 3600

  validation {
    condition     = var.seconds_until_auto_pause >= 300 && var.seconds_until_auto_pause <= 86400
    error_message = "seconds_until_auto_pause must be between 300 and 86400 seconds."
  }
}

variable "data_api_enabled" {
  type        = bool
  description = "Aurora only: enable the RDS Data API (the cluster's HTTP endpoint), so operators run SQL against the private cluster with `aws rds-data execute-statement` (IAM-authenticated, no network path). Ignored by the other modes."
  default     = true
}

variable "aurora_instances" {
  type        = list(string)
  description = "Names of the cluster's db.serverless instances, the first one the writer (identifier <name>-<environment>-<instance>)."
  default     = ["writer"]

  validation {
    condition     = length(var.aurora_instances) >= 1
    error_message = "aurora_instances needs at least the writer."
  }
}

# --- RDS instance ---

variable "instance_class" {
  type        = string
  description = "Instance class of an RDS instance."
  default     = "db.t4g.micro"

  validation {
    condition     = startswith(var.instance_class, "db.")
    error_message = "instance_class must be an RDS instance class such as db.t4g.micro."
  }
}

variable "allocated_storage_gb" {
  type        = number
  description = "Initial gp3 storage of an instance, in GB (20-65536)."
  default     = 20

  validation {
    condition     = var.allocated_storage_gb >= 20 && var.allocated_storage_gb <= 65536
    error_message = "allocated_storage_gb must be between 20 and 65536."
  }
}

variable "max_allocated_storage_gb" {
  type        = number
  description = "Storage autoscaling ceiling of an instance, in GB (0 disables autoscaling)."
  default     = 100

  validation {
    condition     = var.max_allocated_storage_gb == 0 || var.max_allocated_storage_gb >= 20
    error_message = "max_allocated_storage_gb must be 0 or at least 20."
  }
}

variable "multi_az" {
  type        = bool
  description = "Run an instance in two availability zones (prd)."
  default     = false
}

