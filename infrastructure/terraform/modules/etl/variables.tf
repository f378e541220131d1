# ---------------------------------------------------------------------------
# Network (outputs of the network module)
# ---------------------------------------------------------------------------

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets (network module private_subnet_ids) for the databases and the three functions; S3 is reached through the VPC endpoint or NAT."

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "Aurora needs subnets in at least two availability zones."
  }
}

variable "database_security_group_id" {
  type        = string
  description = "Security group of the created databases, admitting PostgreSQL from lambda_security_group_id (network module database_security_group_id)."
}

# ---------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------

variable "existing_source_database" {
  type = object({
    host       = string
    port       = optional(number, 5432)
    name       = string
    secret_arn = string
  })
  description = "The operational PostgreSQL to extract from, when it already exists: host, port, database name and the ARN of a secret holding {\"username\",\"password\"}. null creates an RDS PostgreSQL instance (source_database)."
  default     = null
}

variable "source_database" {
  type = object({
    name                     = optional(string, "shop")
    engine_version           = optional(string, "17")
    instance_class           = optional(string, "db.t4g.micro")
    allocated_storage_gb     = optional(number, 20)
    max_allocated_storage_gb = optional(number, 100)
    multi_az                 = optional(bool, false)
    backup_retention_days    = optional(number, 7)
  })
  description = "The source RDS PostgreSQL instance created when existing_source_database is null: database name, major version, instance class, gp3 storage and its autoscaling ceiling (GB), Multi-AZ, days of automated backups. The postgres module validates each setting."
  default     = {}
}

variable "target_database" {
  type = object({
    name                     = optional(string, "analytics")
    engine_version           = optional(string, "17")
    min_capacity             = optional(number, 0)
    max_capacity             = optional(number, 2)
    seconds_until_auto_pause = optional(number, 3600)
    backup_retention_days    = optional(number, 7)
  })
  description = "The analytics Aurora Serverless v2 cluster: database name, major version, ACU range (min 0 auto-pauses after seconds_until_auto_pause idle; the first load after a pause waits a few seconds for it to resume), days of automated backups."
  default     = {}
}

# ---------------------------------------------------------------------------
# Bucket and triggers
# ---------------------------------------------------------------------------

variable "data_retention_days" {
  type        = number
  description = "Days the datasets and manifests under etl-data/ are kept before they expire."
  default     = 30

  validation {
    condition     = var.data_retention_days >= 1
    error_message = "data_retention_days must be at least 1."
  }
}

variable "schedule_time_jst" {
  type        = string
  description = "Daily run time of etl-extract-transform in JST (\"HH:MM\"); the schedule's time zone is Asia/Tokyo."
  default     = "02:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", var.schedule_time_jst))
    error_message = "schedule_time_jst must be \"HH:MM\" (00:00 to 23:59)."
  }
}

# ---------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------

variable "load_reserved_concurrency" {
  type        = number
  description = "Reserved concurrency of etl-load: loads of different dates run side by side up to this many (each holds one connection)."
  default     = 4

  validation {
    condition     = var.load_reserved_concurrency >= 1
    error_message = "load_reserved_concurrency must be at least 1."
  }
}

