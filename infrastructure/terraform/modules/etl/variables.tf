# ---------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------

variable "databases" {
  type = object({
    source = optional(object({
      existing = optional(object({
        host       = string
        port       = optional(number, 5432)
        name       = string
        secret_arn = string
      }))
      name                     = optional(string, "shop")
      engine_version           = optional(string, "17")
      instance_class           = optional(string, "db.t4g.micro")
      allocated_storage_gb     = optional(number, 20)
      max_allocated_storage_gb = optional(number, 100)
      multi_az                 = optional(bool, false)
      backup_retention_days    = optional(number, 7)
    }), {})
    target = optional(object({
      name                     = optional(string, "analytics")
      engine_version           = optional(string, "17")
      min_capacity             = optional(number, 0)
      max_capacity             = optional(number, 2)
      seconds_until_auto_pause = optional(number, 3600)
      backup_retention_days    = optional(number, 7)
    }), {})
  })
  description = "The two databases, as the output databases names them. source: the operational PostgreSQL to extract from; existing, the server when it already exists (host, port, database name and the ARN of a secret holding {\"username\",\"password\"}); left out, an RDS PostgreSQL instance is created with the other settings: database name, major version, instance class, gp3 storage and its autoscaling ceiling (GB), Multi-AZ, days of automated backups. target: the analytics Aurora Serverless v2 cluster: database name, major version, ACU range (min 0 auto-pauses after seconds_until_auto_pause idle; the first load after a pause waits a few seconds for it to resume), days of automated backups. The postgres module validates each setting."
  default     = {}
  nullable    = false
}

# ---------------------------------------------------------------------------
# When and how it runs
# ---------------------------------------------------------------------------

variable "settings" {
  type = object({
    schedule_time_jst         = optional(string, "02:00")
    data_retention_days       = optional(number, 30)
    load_reserved_concurrency = optional(number, 4)
  })
  description = "schedule_time_jst: daily run time of etl-extract-transform in JST (\"HH:MM\"); the schedule's time zone is Asia/Tokyo. data_retention_days: days the datasets and manifests under etl-data/ are kept before they expire. load_reserved_concurrency: reserved concurrency of etl-load; loads of different dates run side by side up to this many (each holds one connection)."
  default     = {}
  nullable    = false

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", var.settings.schedule_time_jst))
    error_message = "settings.schedule_time_jst must be \"HH:MM\" (00:00 to 23:59)."
  }

  validation {
    condition     = var.settings.data_retention_days >= 1 && var.settings.load_reserved_concurrency >= 1
    error_message = "settings: data_retention_days and load_reserved_concurrency must be at least 1."
  }
}

# ---------------------------------------------------------------------------
# Platform (var.platform: shared/pipeline.tf)
# ---------------------------------------------------------------------------

locals {
  # The target Aurora cluster spans two availability zones behind the database security group.
  platform_needs = { private_subnets = 2, database_security_group = true, alarm_topic = false }
}
