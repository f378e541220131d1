variable "region" {
  type        = string
  description = "AWS region of every resource."
  default     = "ap-northeast-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as ap-northeast-1."
  }
}

variable "project" {
  type        = string
  description = "Project tag on every resource (default_tags)."
  default     = "aws-data-pipelines"
}

variable "allowed_account_ids" {
  type        = list(string)
  description = "AWS account ids this environment may be applied to (guards against deploying dev into the prd account). Empty allows any."
  default     = []

  validation {
    condition     = alltrue([for id in var.allowed_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "allowed_account_ids must be 12-digit AWS account ids."
  }
}

# --- network (also single_nat_gateway, interface_endpoints, existing_*: shared/network.tf)

variable "vpc_cidr" {
  type        = string
  description = "CIDR of the environment's VPC."
  default     = "10.20.0.0/16"
}

# --- monitoring -----------------------------------------------------------------

variable "alarm_emails" {
  type        = list(string)
  description = "E-mail addresses that receive alarm notifications."
  default     = []
}

# --- settings the pipeline modules take (see local.pipeline_defaults; also
# log_retention_days and log_level: shared/logs.tf) -------------------------------

variable "deletion_protection" {
  type        = bool
  description = "Deletion protection for databases and tables (and force_destroy off for buckets)."
  default     = false
}

variable "aurora_min_capacity" {
  type        = number
  description = "Aurora Serverless v2 minimum ACUs (0 lets the cluster auto-pause)."
  default     = 0
}

variable "aurora_max_capacity" {
  type        = number
  description = "Aurora Serverless v2 maximum ACUs."
  default     = 2
}

variable "aurora_seconds_until_auto_pause" {
  type        = number
  description = "Idle seconds before an Aurora cluster with min capacity 0 pauses."
  default     = 3600
}

variable "schedules_enabled" {
  type        = bool
  description = "Whether pipeline schedules are enabled (false keeps them deployed but stopped)."
  default     = true
}

variable "database_multi_az" {
  type        = bool
  description = "Run the RDS PostgreSQL instances of the pipelines in two AZs."
  default     = false
}

variable "batch_scheduler_schedule_times_jst" {
  type        = list(string)
  description = "JST run times (HH:MM, one shared minute) of the YouTube sync, e.g. [\"00:00\", \"12:00\", \"18:00\"]."
  default     = ["00:00"]
}

variable "batch_scheduler_channel_ids" {
  type        = list(string)
  description = "YouTube channel ids synced on every run (more can be added in the youtube_channels_config table)."
  default     = []
}

variable "csv_processor_batch_size" {
  type        = number
  description = "CSV rows per csv-processor invocation (ItemBatcher MaxItemsPerBatch)."
  default     = 500
}

variable "csv_processor_max_concurrency" {
  type        = number
  description = "Batches of one file processed at the same time (Distributed Map MaxConcurrency)."
  default     = 5
}

variable "csv_processor_tolerated_failure_percentage" {
  type        = number
  description = "Share of failed batches a file may have and still end PARTIAL instead of PROCESSING_FAILED."
  default     = 5
}
