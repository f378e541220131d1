variable "name" {
  type        = string
  description = "Schedule name without the environment (e.g. \"etl-extract\"); deployed as <name>-<environment>."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,50}$", var.name))
    error_message = "name must be lower-case kebab-case, at most 51 characters."
  }
}

variable "description" {
  type        = string
  description = "What the schedule runs and when, for operators."
}

variable "schedule_expression" {
  type        = string
  description = "When, in JST (the schedule's time zone is Asia/Tokyo): cron(minutes hours day-of-month month day-of-week year), rate(...) or at(...). 02:00 JST daily is cron(0 2 * * ? *)."

  validation {
    condition     = can(regex("^(cron|rate|at)\\(.+\\)$", var.schedule_expression))
    error_message = "schedule_expression must be cron(...), rate(...) or at(...)."
  }
}

variable "target_arn" {
  type        = string
  description = "What the schedule runs: a Lambda function, a Step Functions state machine, an SQS queue or an SNS topic (the role gets the one action that reaches it)."

  validation {
    condition     = contains(["lambda", "states", "sqs", "sns"], try(split(":", var.target_arn)[2], ""))
    error_message = "target_arn must be the ARN of a Lambda function, a state machine, an SQS queue or an SNS topic."
  }
}

variable "input" {
  type        = string
  description = "JSON the target receives (a function's event, an execution's input). null sends none."
  default     = null
}

variable "enabled" {
  type        = bool
  description = "ENABLED or DISABLED; a disabled schedule stays deployed."
  default     = true
}

variable "retry_attempts" {
  type        = number
  description = "Retries (0-185) when the target cannot be reached; then the event goes to the dead-letter queue."
  default     = 3

  validation {
    condition     = var.retry_attempts >= 0 && var.retry_attempts <= 185
    error_message = "retry_attempts must be between 0 and 185."
  }
}

variable "maximum_event_age_seconds" {
  type        = number
  description = "How long (60-86400 s) Scheduler keeps retrying an event."
  default     = 3600

  validation {
    condition     = var.maximum_event_age_seconds >= 60 && var.maximum_event_age_seconds <= 86400
    error_message = "maximum_event_age_seconds must be between 60 and 86400."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "The pipeline key: encrypts the schedule's input and the dead-letter queue. null for AWS-managed keys."
  default     = null
}

