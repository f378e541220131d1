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

# --- the server ---

variable "master_username" {
  type        = string
  description = "Master user of the new server; its password is managed by RDS in Secrets Manager. Changing it replaces the server."
  default     = "postgres_admin"
}

variable "server" {
  type = object({
    name                          = optional(string)
    engine_version                = optional(string, "17")
    backup_retention_days         = optional(number, 7)
    log_min_duration_statement_ms = optional(number, 1000)
    parameters                    = optional(map(string), {})
    min_capacity                  = optional(number, 0)
    max_capacity                  = optional(number, 2)
    seconds_until_auto_pause      = optional(number, 3600)
    data_api_enabled              = optional(bool, true)
    aurora_instances              = optional(list(string), ["writer"])
    instance_class                = optional(string, "db.t4g.micro")
    allocated_storage_gb          = optional(number, 20)
    max_allocated_storage_gb      = optional(number, 100)
    multi_az                      = optional(bool, false)
    ca_cert_identifier            = optional(string, "rds-ca-rsa2048-g1")
  })
  description = "The created server, every setting optional (a pipeline passes its own database object; the other mode's settings are ignored). name: database created in the new server. engine_version: Aurora PostgreSQL \"16.6\", or the PostgreSQL major (\"17\") of an instance; its major names the parameter group family. backup_retention_days: days of automated backups (1-35). log_min_duration_statement_ms: statements slower than this (ms) reach the PostgreSQL log; -1 turns it off. parameters: extra server parameters, merged over the module's (rds.force_ssl = 1 cannot be switched off: TLS is enforced everywhere). Aurora: min_capacity (0-256 ACUs; 0 lets the cluster pause after seconds_until_auto_pause idle seconds, 300-86400), max_capacity (1-256 ACUs), data_api_enabled (the RDS Data API, the cluster's HTTP endpoint, so operators run SQL against the private cluster with `aws rds-data execute-statement`: IAM-authenticated, no network path), aurora_instances (names of the db.serverless instances, the first one the writer; identifier <name>-<environment>-<instance>). RDS instance: instance_class, allocated_storage_gb (initial gp3 storage, 20-65536 GB), max_allocated_storage_gb (storage autoscaling ceiling in GB, 0 disables autoscaling), multi_az (two availability zones, prd), ca_cert_identifier (server certificate authority; Aurora uses the cluster default)."
  default     = {}
  nullable    = false

  validation {
    condition     = var.server.name == null || can(regex("^[a-z][a-z0-9_]{0,62}$", coalesce(var.server.name, "x")))
    error_message = "server.name must start with a letter and contain only a-z, 0-9 and _ (at most 63 characters)."
  }

  validation {
    condition     = var.server.backup_retention_days >= 1 && var.server.backup_retention_days <= 35
    error_message = "server.backup_retention_days must be between 1 and 35."
  }

  validation {
    condition     = lookup(var.server.parameters, "rds.force_ssl", "1") == "1"
    error_message = "server.parameters rds.force_ssl must stay 1: every database server enforces TLS."
  }

  validation {
    condition     = var.server.min_capacity >= 0 && var.server.min_capacity <= 256
    error_message = "server.min_capacity must be between 0 and 256 ACUs."
  }

  validation {
    condition     = var.server.max_capacity >= 1 && var.server.max_capacity <= 256
    error_message = "server.max_capacity must be between 1 and 256 ACUs."
  }

  validation {
    condition     = var.server.seconds_until_auto_pause >= 300 && var.server.seconds_until_auto_pause <= 86400
    error_message = "server.seconds_until_auto_pause must be between 300 and 86400 seconds."
  }

  validation {
    condition     = length(var.server.aurora_instances) >= 1
    error_message = "server.aurora_instances needs at least the writer."
  }

  validation {
    condition     = startswith(var.server.instance_class, "db.")
    error_message = "server.instance_class must be an RDS instance class such as db.t4g.micro."
  }

  validation {
    condition     = var.server.allocated_storage_gb >= 20 && var.server.allocated_storage_gb <= 65536
    error_message = "server.allocated_storage_gb must be between 20 and 65536."
  }

  validation {
    condition     = var.server.max_allocated_storage_gb == 0 || var.server.max_allocated_storage_gb >= 20
    error_message = "server.max_allocated_storage_gb must be 0 or at least 20."
  }
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

variable "final_snapshot" {
  type        = bool
  description = "Take a uniquely named final snapshot on destroy. null follows settings.deletion_protection; set true to keep one when destroying a protected database after switching protection off."
  default     = null
}

