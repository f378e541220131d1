# ---------------------------------------------------------------------------
# What the ledger records
# ---------------------------------------------------------------------------

variable "feeds" {
  type = object({
    state_machine_arns   = optional(list(string), [])
    lambda_function_arns = optional(list(string), [])
  })
  description = "What the recorder records. state_machine_arns: state machines whose executions are runs (csv-processor's, salesforce-extract's when enabled); their \"Step Functions Execution Status Change\" events (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED) go to the recorder. lambda_function_arns: unqualified ARNs of the plain-Lambda pipelines' functions (sync-batch, etl-extract-transform, etl-load); their destination records (\"Lambda Function Invocation Result - Success\" / \"- Failure\", source lambda) go to the recorder; each must send its destinations to the default bus (lambda-function destination_bus_arn = this module's ledger.destination_bus_arn)."
  default     = {}
  nullable    = false

  validation {
    condition = alltrue(concat(
      [for a in var.feeds.state_machine_arns : can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+$", a))],
      [for a in var.feeds.lambda_function_arns : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", a))],
    ))
    error_message = "feeds: state_machine_arns must be state machine ARNs (arn:<partition>:states:<region>:<account>:stateMachine:<name>), lambda_function_arns unqualified function ARNs (arn:<partition>:lambda:<region>:<account>:function:<name>)."
  }
}

# ---------------------------------------------------------------------------
# The API
# ---------------------------------------------------------------------------

variable "api" {
  type = object({
    throttling = optional(object({
      rate_limit  = optional(number, 10)
      burst_limit = optional(number, 20)
    }), {})
    latency_alarm_ms       = optional(number, 3000)
    manage_account_role    = optional(bool, true)
    manual_trigger_sources = optional(list(string), ["batch-scheduler", "etl", "salesforce-extract"])
  })
  description = "The runs API. throttling: stage-wide rate_limit (steady requests per second) and burst_limit; operators and scripts, not the public: small numbers. latency_alarm_ms: the latency alarm fires when the average latency over 5 minutes exceeds it. manage_account_role: create API Gateway's CloudWatch role and set it as the account's (aws_api_gateway_account), which access logs need; it is one setting per account and region: when dev and prd share an account, exactly one of them keeps true (the other sets false), or the two applies overwrite each other; the role is capped to its own environment, so the other's API then logs no access (keep environments in separate accounts). manual_trigger_sources: EventBridge sources of the pipelines' manual-trigger rules (functions/shared/runs-pipelines.ts); runs-api may put events with these sources only (POST /runs/{pipeline})."
  default     = {}
  nullable    = false

  validation {
    condition     = var.api.throttling.rate_limit > 0 && var.api.throttling.burst_limit >= 1 && floor(var.api.throttling.burst_limit) == var.api.throttling.burst_limit && var.api.latency_alarm_ms > 0
    error_message = "api: throttling needs a positive rate_limit and a whole burst_limit of at least 1; latency_alarm_ms must be positive."
  }

  validation {
    condition     = alltrue([for s in var.api.manual_trigger_sources : can(regex("^[a-z][a-z0-9-]*$", s))])
    error_message = "api.manual_trigger_sources must be lower-case kebab-case pipeline names."
  }
}

# ---------------------------------------------------------------------------
# Stream processor and report
# ---------------------------------------------------------------------------

variable "stream" {
  type = object({
    batch_size                 = optional(number, 100)
    maximum_retry_attempts     = optional(number, 5)
    iterator_age_alarm_seconds = optional(number, 600)
  })
  description = "The stream processor: batch_size, ledger stream records per invocation (1-1000); maximum_retry_attempts, retries of a failing batch (bisected on each error) before its records go to the stream's failure queue (0-10000); iterator_age_alarm_seconds, the processor is late: the iterator age alarm fires above this many seconds."
  default     = {}
  nullable    = false

  validation {
    condition = (
      var.stream.batch_size >= 1 && var.stream.batch_size <= 1000 &&
      var.stream.maximum_retry_attempts >= 0 && var.stream.maximum_retry_attempts <= 10000 &&
      var.stream.iterator_age_alarm_seconds > 0
    )
    error_message = "stream: batch_size must be between 1 and 1000, maximum_retry_attempts between 0 and 10000, iterator_age_alarm_seconds positive."
  }
}

variable "report" {
  type = object({
    schedule_expression = optional(string, "cron(0 9 * * ? *)")
    retention_days      = optional(number, 400)
  })
  description = "The daily report: schedule_expression, when it runs, in JST (EventBridge Scheduler, time zone Asia/Tokyo); retention_days, days the reports/YYYY-MM-DD.{json,html} objects are kept."
  default     = {}
  nullable    = false

  validation {
    condition     = var.report.retention_days >= 1 && floor(var.report.retention_days) == var.report.retention_days
    error_message = "report.retention_days must be a whole number of days, at least 1."
  }
}

variable "schedule_enabled" {
  type        = bool
  description = "State of the daily report's schedule; a disabled schedule stays deployed."
  default     = true
}

# ---------------------------------------------------------------------------
# Platform (var.platform: shared/pipeline.tf)
# ---------------------------------------------------------------------------

locals {
  # Outside any VPC. The alarm topic is required: the stream processor publishes failure and
  # recovery notices and the daily report its summary to it (with alarm_topic.kms_key_arn, its
  # key, when it is encrypted with a customer-managed one); the API stage is always traced.
  platform_needs = { private_subnets = 0, database_security_group = false, alarm_topic = true }
}
