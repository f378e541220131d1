# --- network and monitoring (outputs of the network and monitoring modules) ---

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets (network module output private_subnet_ids) for Aurora and the in-VPC functions (csv-processor, csv-migrate)."

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "Aurora needs subnets in at least two availability zones."
  }
}

variable "database_security_group_id" {
  type        = string
  description = "Security group attached to the Aurora cluster (network module output database_security_group_id)."
}

# --- processing ---

variable "batch_size" {
  type        = number
  description = "Rows per distributed-map batch (ItemBatcher MaxItemsPerBatch): one processor invocation and one SQL statement each."
  default     = 500

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 2000 && floor(var.batch_size) == var.batch_size
    error_message = "batch_size must be an integer between 1 and 2000 (child input is capped at 256 KiB)."
  }
}

variable "max_concurrency" {
  type        = number
  description = "Child workflows running at once (distributed map MaxConcurrency); each holds one database connection."
  default     = 5

  validation {
    condition     = var.max_concurrency >= 1 && var.max_concurrency <= 1000 && floor(var.max_concurrency) == var.max_concurrency
    error_message = "max_concurrency must be an integer between 1 and 1000."
  }
}

variable "tolerated_failure_percentage" {
  type        = number
  description = "Share of failed rows (and of failed child workflows) under which a file ends PARTIAL instead of PROCESSING_FAILED."
  default     = 5

  validation {
    condition     = var.tolerated_failure_percentage >= 0 && var.tolerated_failure_percentage <= 100
    error_message = "tolerated_failure_percentage must be between 0 and 100."
  }
}

variable "audit_successful_rows" {
  type        = bool
  description = "Write an audit item for every applied row (failed rows are always audited). false trades per-row history for throughput and DynamoDB cost."
  default     = true
}

variable "max_file_bytes" {
  type        = number
  description = "Files larger than this are rejected (FILE_TOO_LARGE) before they are read."
  default     = 268435456

  validation {
    condition     = var.max_file_bytes > 0
    error_message = "max_file_bytes must be positive."
  }
}

variable "max_rows" {
  type        = number
  description = "Files with more data rows than this are rejected (TOO_MANY_ROWS)."
  default     = 2000000

  validation {
    condition     = var.max_rows > 0
    error_message = "max_rows must be positive."
  }
}

variable "claim_ttl_days" {
  type        = number
  description = "Days an object version's claim is kept (duplicate deliveries within this window end as DUPLICATE)."
  default     = 30

  validation {
    condition     = var.claim_ttl_days >= 1
    error_message = "claim_ttl_days must be at least 1 (EventBridge retries for up to 24 hours)."
  }
}

variable "processor_reserved_concurrency" {
  type        = number
  description = "Reserved concurrency of csv-processor: caps database connections whatever the number of files in flight. -1 for none."
  default     = 10
}

variable "processor_memory_size" {
  type        = number
  description = "Memory (MB) of csv-processor."
  default     = 512
}

variable "validator_memory_size" {
  type        = number
  description = "Memory (MB) of csv-validator; it streams, so memory grows only with the number of distinct user ids (~100 MB per million)."
  default     = 512
}

# --- storage lifecycle ---

variable "results_retention_days" {
  type        = number
  description = "Days the map results and summaries (results/ in the output bucket) and normalized copies are kept."
  default     = 30

  validation {
    condition     = var.results_retention_days >= 1
    error_message = "results_retention_days must be at least 1."
  }
}

variable "error_report_retention_days" {
  type        = number
  description = "Days validation error reports (errors/ in the output bucket) are kept."
  default     = 90

  validation {
    condition     = var.error_report_retention_days >= 1
    error_message = "error_report_retention_days must be at least 1."
  }
}

variable "input_retention_days" {
  type        = number
  description = "Days uploaded files (incoming/) are kept; the audit keeps what was applied."
  default     = 90

  validation {
    condition     = var.input_retention_days >= 1
    error_message = "input_retention_days must be at least 1."
  }
}

variable "noncurrent_version_retention_days" {
  type        = number
  description = "Days overwritten or deleted object versions are kept in both buckets."
  default     = 30

  validation {
    condition     = var.noncurrent_version_retention_days >= 1
    error_message = "noncurrent_version_retention_days must be at least 1."
  }
}

# --- Aurora ---

variable "database" {
  type = object({
    name                     = optional(string, "csv_processor")
    engine_version           = optional(string, "16.6")
    min_capacity             = optional(number, 0.5)
    max_capacity             = optional(number, 2)
    seconds_until_auto_pause = optional(number, 3600)
    backup_retention_days    = optional(number, 7)
  })
  description = "The Aurora Serverless v2 cluster: database name (users, user_statistics), Aurora PostgreSQL version, minimum and maximum ACUs (a minimum of 0 lets it pause after seconds_until_auto_pause idle seconds), days of automated backups. The postgres module validates each setting."
  default     = {}
}

# --- operations ---

variable "state_machine_log_level" {
  type        = string
  description = "Step Functions execution log level (execution data is never logged: it carries user data)."
  default     = "ERROR"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL", "OFF"], var.state_machine_log_level)
    error_message = "state_machine_log_level must be ALL, ERROR, FATAL or OFF."
  }
}

