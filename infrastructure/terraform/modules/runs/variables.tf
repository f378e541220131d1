# ---------------------------------------------------------------------------
# What the ledger records
# ---------------------------------------------------------------------------

variable "state_machine_arns" {
  type        = list(string)
  description = "State machines whose executions are runs (csv-processor's, salesforce-extract's when enabled): their \"Step Functions Execution Status Change\" events (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED) go to the recorder."
  default     = []

  validation {
    condition     = alltrue([for a in var.state_machine_arns : can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+$", a))])
    error_message = "state_machine_arns must be state machine ARNs (arn:<partition>:states:<region>:<account>:stateMachine:<name>)."
  }
}

variable "lambda_function_arns" {
  type        = list(string)
  description = "Unqualified ARNs of the plain-Lambda pipelines' functions (sync-batch, etl-extract-transform, etl-load): their destination records (\"Lambda Function Invocation Result - Success\" / \"- Failure\", source lambda) go to the recorder. Each must send its destinations to the default bus (lambda-function destination_bus_arn = this module's default_bus_arn)."
  default     = []

  validation {
    condition     = alltrue([for a in var.lambda_function_arns : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", a))])
    error_message = "lambda_function_arns must be unqualified function ARNs (arn:<partition>:lambda:<region>:<account>:function:<name>)."
  }
}

variable "manual_trigger_sources" {
  type        = list(string)
  description = "EventBridge sources of the pipelines' manual-trigger rules (functions/shared/runs-pipelines.ts): runs-api may put events with these sources only (POST /runs/{pipeline})."
  default     = ["batch-scheduler", "etl", "salesforce-extract"]

  validation {
    condition     = alltrue([for s in var.manual_trigger_sources : can(regex("^[a-z][a-z0-9-]*$", s))])
    error_message = "manual_trigger_sources must be lower-case kebab-case pipeline names."
  }
}

# Not the shared alarm_topic.tf (optional there): the notices and the report need the topic.
variable "alarm_topic_arn" {
  type        = string
  description = "The environment's alarm topic (monitoring module output alarm_topic_arn): the module's alarms notify it, the stream processor publishes failure and recovery notices and the daily report its summary to it."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN."
  }
}

variable "alarm_topic_kms_key_arn" {
  type        = string
  description = "KMS key of the alarm topic (monitoring module output kms_key_arn): the stream processor and the daily report publish encrypted messages with it. null when the topic is not encrypted with a customer-managed key."
  default     = null
}

# ---------------------------------------------------------------------------
# The API
# ---------------------------------------------------------------------------

variable "api_throttling" {
  type = object({
    rate_limit  = optional(number, 10)
    burst_limit = optional(number, 20)
  })
  description = "Stage-wide throttling of the runs API: steady requests per second and burst. Operators and scripts, not the public: small numbers."
  default     = {}
  nullable    = false

  validation {
    condition     = var.api_throttling.rate_limit > 0 && var.api_throttling.burst_limit >= 1 && floor(var.api_throttling.burst_limit) == var.api_throttling.burst_limit
    error_message = "api_throttling needs a positive rate_limit and a whole burst_limit of at least 1."
  }
}

variable "api_latency_alarm_ms" {
  type        = number
  description = "The API latency alarm fires when the average latency over 5 minutes exceeds this many milliseconds."
  default     = 3000

  validation {
    condition     = var.api_latency_alarm_ms > 0
    error_message = "api_latency_alarm_ms must be positive."
  }
}

variable "manage_api_gateway_account_role" {
  type        = bool
  description = "Create API Gateway's CloudWatch role and set it as the account's (aws_api_gateway_account), which access logs need. It is one setting per account and region: when dev and prd share an account, exactly one of them keeps true (the other sets false), or the two applies overwrite each other; the role is capped to its own environment, so the other's API then logs no access (keep environments in separate accounts)."
  default     = true
}

# ---------------------------------------------------------------------------
# Stream processor and report
# ---------------------------------------------------------------------------

variable "stream_batch_size" {
  type        = number
  description = "Ledger stream records per invocation of the stream processor (1-1000)."
  default     = 100

  validation {
    condition     = var.stream_batch_size >= 1 && var.stream_batch_size <= 1000
    error_message = "stream_batch_size must be between 1 and 1000."
  }
}

variable "stream_maximum_retry_attempts" {
  type        = number
  description = "Retries of a failing stream batch (bisected on each error) before its records go to the stream's failure queue."
  default     = 5

  validation {
    condition     = var.stream_maximum_retry_attempts >= 0 && var.stream_maximum_retry_attempts <= 10000
    error_message = "stream_maximum_retry_attempts must be between 0 and 10000."
  }
}

variable "iterator_age_alarm_seconds" {
  type        = number
  description = "The stream processor is late: the iterator age alarm fires above this many seconds."
  default     = 600

  validation {
    condition     = var.iterator_age_alarm_seconds > 0
    error_message = "iterator_age_alarm_seconds must be positive."
  }
}

variable "report_schedule_expression" {
  type        = string
  description = "When the daily report runs, in JST (EventBridge Scheduler, time zone Asia/Tokyo)."
  default     = "cron(0 9 * * ? *)"
}

variable "report_retention_days" {
  type        = number
  description = "Days the reports/YYYY-MM-DD.{json,html} objects are kept."
  default     = 400

  validation {
    condition     = var.report_retention_days >= 1 && floor(var.report_retention_days) == var.report_retention_days
    error_message = "report_retention_days must be a whole number of days, at least 1."
  }
}

variable "schedule_enabled" {
  type        = bool
  description = "State of the daily report's schedule; a disabled schedule stays deployed."
  default     = true
}

# ---------------------------------------------------------------------------
# How the functions deploy
# ---------------------------------------------------------------------------

variable "dist_dir" {
  type        = string
  description = "Folder holding the zips `npm run build` writes (runs-recorder.zip, runs-api.zip, runs-stream-processor.zip, runs-daily-report.zip). null uses the repository's dist/ relative to this module."
  default     = null
}

variable "deletion_protection" {
  type        = bool
  description = "Deletion protection of the ledger; off also lets destroy empty the reports bucket. null: on in prd, off elsewhere."
  default     = null
}

variable "tracing_enabled" {
  type        = bool
  description = "X-Ray active tracing of the functions (the API stage is always traced)."
  default     = true
}
