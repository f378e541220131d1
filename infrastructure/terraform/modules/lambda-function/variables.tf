variable "package_path" {
  type        = string
  description = "Path to the deployment zip built by `npm run build`, e.g. \"$${path.root}/../../../../dist/sync-batch.zip\". The bundle must be index.mjs at the zip root (handler index.handler)."

  validation {
    condition     = endswith(var.package_path, ".zip")
    error_message = "package_path must point at a .zip file."
  }
}

variable "handler" {
  type        = string
  description = "Handler the runtime calls: <file without extension>.<export>. The build writes index.mjs exporting handler."
  default     = "index.handler"

  validation {
    condition     = can(regex("^[A-Za-z0-9_/.-]+\\.[A-Za-z_$][A-Za-z0-9_$]*$", var.handler))
    error_message = "handler must be <file>.<export>, e.g. index.handler."
  }
}

variable "description" {
  type        = string
  description = "Human-readable description of the function."
  default     = ""
}

variable "memory_size" {
  type        = number
  description = "Memory in MB (128-10240). CPU scales with memory."
  default     = 512

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  type        = number
  description = "Timeout in seconds (1-900)."
  default     = 60

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds."
  }
}

variable "environment_variables" {
  type        = map(string)
  description = "Extra environment variables, merged over the module's own (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, ENVIRONMENT). Never put secrets here: read them from Secrets Manager."
  default     = {}
}

variable "reserved_concurrent_executions" {
  type        = number
  description = "Reserved concurrency. -1 leaves the function unreserved; 0 stops all invocations (emergency stop)."
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions >= -1
    error_message = "reserved_concurrent_executions must be -1 (unreserved) or a non-negative number."
  }
}

variable "policy_json" {
  type        = string
  description = "The caller's least-privilege IAM policy document (JSON, e.g. data.aws_iam_policy_document.x.json) merged into the function role's inline policy. null for none."
  default     = null
}

variable "duration_alarm_threshold_ms" {
  type        = number
  description = "Duration alarm threshold (Maximum, ms). null means 80 % of the timeout."
  default     = null

  validation {
    condition     = var.duration_alarm_threshold_ms == null ? true : var.duration_alarm_threshold_ms > 0
    error_message = "duration_alarm_threshold_ms must be positive."
  }
}

variable "maximum_retry_attempts" {
  type        = number
  description = "Retries of a failed asynchronous invocation (0-2) before the event goes to the dead-letter queue."
  default     = 2

  validation {
    condition     = var.maximum_retry_attempts >= 0 && var.maximum_retry_attempts <= 2
    error_message = "maximum_retry_attempts must be 0, 1 or 2."
  }
}

variable "maximum_event_age_in_seconds" {
  type        = number
  description = "Maximum age of an asynchronous event (60-21600 s) before it goes to the dead-letter queue."
  default     = 21600

  validation {
    condition     = var.maximum_event_age_in_seconds >= 60 && var.maximum_event_age_in_seconds <= 21600
    error_message = "maximum_event_age_in_seconds must be between 60 and 21600."
  }
}

variable "allowed_triggers" {
  type = map(object({
    principal    = string
    source_arn   = string
    statement_id = optional(string)
  }))
  description = "Services allowed to invoke the function, by key: principal (e.g. events.amazonaws.com) and the source ARN it invokes from. statement_id defaults to \"Allow-<key>\"."
  default     = {}
}

variable "event_source_mappings" {
  type = map(object({
    event_source_arn                   = string
    enabled                            = optional(bool, true)
    batch_size                         = optional(number)
    maximum_batching_window_in_seconds = optional(number)
    starting_position                  = optional(string)
    report_batch_item_failures         = optional(bool, true)
    filter_patterns                    = optional(list(string), [])
  }))
  description = "Queues and streams the function polls, by key. The function's role needs the source's read actions: pass them in policy_json. starting_position is required for Kinesis and DynamoDB streams (TRIM_HORIZON or LATEST)."
  default     = {}

  validation {
    condition     = alltrue([for m in values(var.event_source_mappings) : contains(["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"], coalesce(m.starting_position, "LATEST"))])
    error_message = "starting_position must be TRIM_HORIZON, LATEST or AT_TIMESTAMP."
  }
}

variable "destination_bus_arn" {
  type        = string
  description = "EventBridge bus (e.g. the default bus, runs module output ledger.destination_bus_arn) that receives the records of asynchronous invocations, on success and on failure (source lambda, detail-type \"Lambda Function Invocation Result - Success\" / \"- Failure\"), for the run ledger. A rule of this module still forwards the function's failures to its dead-letter queue. null sends failures straight to the queue and records no success."
  default     = null

  validation {
    condition     = var.destination_bus_arn == null || can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9._/-]+$", var.destination_bus_arn))
    error_message = "destination_bus_arn must be null or an EventBridge bus ARN (arn:<partition>:events:<region>:<account>:event-bus/<name>)."
  }
}
