# --- processing ---

variable "processing" {
  type = object({
    batch_size                   = optional(number, 500)
    max_concurrency              = optional(number, 5)
    tolerated_failure_percentage = optional(number, 5)
    audit_successful_rows        = optional(bool, true)
    max_file_bytes               = optional(number, 268435456)
    max_rows                     = optional(number, 2000000)
    claim_ttl_days               = optional(number, 30)
  })
  description = "How files are processed. batch_size: rows per distributed-map batch (ItemBatcher MaxItemsPerBatch), one processor invocation and one SQL statement each (1-2000: child input is capped at 256 KiB). max_concurrency: child workflows running at once (distributed map MaxConcurrency), each holding one database connection (1-1000). tolerated_failure_percentage: share of failed rows (and of failed child workflows) under which a file ends PARTIAL instead of PROCESSING_FAILED (0-100). audit_successful_rows: write an audit item for every applied row (failed rows are always audited); false trades per-row history for throughput and DynamoDB cost. max_file_bytes, max_rows: larger files (FILE_TOO_LARGE) and files with more data rows (TOO_MANY_ROWS) are rejected before they are read. claim_ttl_days: days an object version's claim is kept, duplicate deliveries within this window ending as DUPLICATE (at least 1: EventBridge retries for up to 24 hours)."
  default     = {}
  nullable    = false

  validation {
    condition     = var.processing.batch_size >= 1 && var.processing.batch_size <= 2000 && floor(var.processing.batch_size) == var.processing.batch_size
    error_message = "processing.batch_size must be an integer between 1 and 2000 (child input is capped at 256 KiB)."
  }

  validation {
    condition     = var.processing.max_concurrency >= 1 && var.processing.max_concurrency <= 1000 && floor(var.processing.max_concurrency) == var.processing.max_concurrency
    error_message = "processing.max_concurrency must be an integer between 1 and 1000."
  }

  validation {
    condition     = var.processing.tolerated_failure_percentage >= 0 && var.processing.tolerated_failure_percentage <= 100
    error_message = "processing.tolerated_failure_percentage must be between 0 and 100."
  }

  validation {
    condition     = var.processing.max_file_bytes > 0 && var.processing.max_rows > 0
    error_message = "processing.${join(" and processing.", [for limit in ["max_file_bytes", "max_rows"] : limit if var.processing[limit] <= 0])} must be positive."
  }

  validation {
    condition     = var.processing.claim_ttl_days >= 1
    error_message = "processing.claim_ttl_days must be at least 1 (EventBridge retries for up to 24 hours)."
  }
}

variable "functions" {
  type = object({
    validator = optional(object({
      memory_size = optional(number, 512)
    }), {})
    processor = optional(object({
      memory_size                    = optional(number, 512)
      reserved_concurrent_executions = optional(number, 10)
    }), {})
  })
  description = "lambda-function settings by function: memory (MB) of csv-validator (it streams, so memory grows only with the number of distinct user ids, ~100 MB per million); memory and reserved concurrency of csv-processor, which caps database connections whatever the number of files in flight (-1 for none). The lambda-function module validates each."
  default     = {}
  nullable    = false
}

# --- storage lifecycle ---

variable "retention_days" {
  type = object({
    input               = optional(number, 90)
    results             = optional(number, 30)
    error_reports       = optional(number, 90)
    noncurrent_versions = optional(number, 30)
  })
  description = "Days objects are kept: uploaded files (incoming/; the audit keeps what was applied), map results and summaries (results/ in the output bucket) and normalized copies, validation error reports (errors/ in the output bucket), and overwritten or deleted object versions in both buckets."
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for days in values(var.retention_days) : days >= 1])
    error_message = "retention_days.${join(" and retention_days.", [for kind, days in var.retention_days : kind if days < 1])} must be at least 1."
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
  description = "Step Functions execution log level: ALL, ERROR, FATAL or OFF (execution data is never logged: it carries user data). The state-machine module validates it."
  default     = "ERROR"
}

# --- platform (var.platform: shared/pipeline.tf) ---

locals {
  # The Aurora cluster spans two availability zones behind the database security group.
  platform_needs = { private_subnets = 2, database_security_group = true, alarm_topic = false }
}
