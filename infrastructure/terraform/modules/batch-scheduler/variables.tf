# ---------------------------------------------------------------------------
# Schedule
# ---------------------------------------------------------------------------

variable "schedule_times_jst" {
  type        = list(string)
  description = "Daily run times in JST as \"HH:MM\" (e.g. [\"00:00\", \"12:00\", \"18:00\"]). They become one UTC cron expression on the rule sync-batch-<env>-schedule, so all times must share the same minute."
  default     = ["00:00"]

  validation {
    condition     = length(var.schedule_times_jst) > 0 && alltrue([for t in var.schedule_times_jst : can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", t))])
    error_message = "schedule_times_jst must be a non-empty list of \"HH:MM\" times (00:00 to 23:59)."
  }

  validation {
    condition     = length(distinct([for t in var.schedule_times_jst : substr(t, 3, 2)])) <= 1
    error_message = "All schedule_times_jst must share the same minute (e.g. 00:00, 12:00, 18:00): one cron expression, and so one rule that `aws events disable-rule` stops, cannot hold different minutes."
  }
}

variable "event_maximum_age_seconds" {
  type        = number
  description = "How long (60-86400 s) EventBridge keeps retrying an event before sending it to the dead-letter queue. The triggers module validates it."
  default     = 3600
}

# ---------------------------------------------------------------------------
# What to sync
# ---------------------------------------------------------------------------

variable "channel_ids" {
  type        = list(string)
  description = "YouTube channel ids (UC...) to sync. Operators can add more without a deploy through the youtube_channels_config table."
  default     = []

  validation {
    condition     = alltrue([for id in var.channel_ids : can(regex("^UC[A-Za-z0-9_-]{22}$", id))])
    error_message = "channel_ids must be YouTube channel ids: \"UC\" followed by 22 characters of [A-Za-z0-9_-]."
  }
}

variable "youtube_api_root_url" {
  type        = string
  description = "Root URL of the YouTube Data API. null uses Google's; set it only to route through a proxy."
  default     = null
}

# ---------------------------------------------------------------------------
# Platform (var.platform: shared/pipeline.tf)
# ---------------------------------------------------------------------------

locals {
  # The function calls the YouTube API through NAT and the database in the VPC; a created
  # database sits behind the database security group (unused with existing_database).
  platform_needs = { private_subnets = 1, database_security_group = var.create_database, alarm_topic = false }
}

# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------

variable "create_database" {
  type        = bool
  description = "Create an RDS PostgreSQL instance for the pipeline. false uses existing_database."
  default     = true
}

variable "existing_database" {
  type = object({
    host       = string
    port       = optional(number, 5432)
    name       = optional(string, "shirogane")
    secret_arn = string
  })
  description = "An existing PostgreSQL to use when create_database is false: host, port, database name and the ARN of a Secrets Manager secret holding {\"username\",\"password\"} (the RDS-managed master secret format)."
  default     = null

  validation {
    condition     = var.create_database || var.existing_database != null
    error_message = "Set existing_database when create_database is false."
  }
}

variable "database" {
  type = object({
    name                     = optional(string, "shirogane")
    engine_version           = optional(string, "17")
    instance_class           = optional(string, "db.t4g.micro")
    allocated_storage_gb     = optional(number, 20)
    max_allocated_storage_gb = optional(number, 100)
    multi_az                 = optional(bool, false)
    backup_retention_days    = optional(number, 7)
  })
  description = "The RDS PostgreSQL instance created when create_database is true: database name, PostgreSQL major version (the parameter group family follows it), instance class, initial gp3 storage and its autoscaling ceiling in GB (0 turns autoscaling off), Multi-AZ (prd), days of automated backups. The postgres module validates each setting."
  default     = {}
}

# ---------------------------------------------------------------------------
# Archive bucket
# ---------------------------------------------------------------------------

variable "archive" {
  type = object({
    enabled        = optional(bool, true)
    retention_days = optional(number, 90)
  })
  description = "The bucket where each run's CSV is archived under youtube/YYYY/MM/DD/ (JST): whether to create it, and the days an archived CSV is kept before it expires (noncurrent versions expire 7 days after being replaced)."
  default     = {}
  nullable    = false

  validation {
    condition     = var.archive.retention_days >= 1
    error_message = "archive.retention_days must be at least 1."
  }
}

# ---------------------------------------------------------------------------
# Function and monitoring
# ---------------------------------------------------------------------------

variable "function" {
  type = object({
    memory_size                    = optional(number, 512)
    timeout                        = optional(number, 900)
    duration_alarm_threshold_ms    = optional(number, 600000)
    reserved_concurrent_executions = optional(number, 1)
  })
  description = "sync-batch: memory in MB; timeout in seconds (60-900, above duration_alarm_threshold_ms); the alarm on a run longer than duration_alarm_threshold_ms (the design asks for 10 minutes); reserved concurrency (1 keeps a manual run from overlapping the scheduled one: the second waits in the async queue; 0 stops every invocation). The lambda-function module validates the memory (128-10240 MB), the alarm threshold (positive) and the reserved concurrency (-1 or more)."
  default     = {}
  nullable    = false

  validation {
    condition     = var.function.timeout >= 60 && var.function.timeout <= 900
    error_message = "function.timeout must be between 60 and 900 seconds."
  }
}
