variable "rules" {
  type = map(object({
    name                = string
    description         = string
    event_pattern       = optional(string)
    schedule_expression = optional(string)
    object_created = optional(object({
      bucket = string
      keys   = list(string)
    }))
    enabled = optional(bool, true)
  }))
  description = "EventBridge rules by key, each with one of: an event_pattern (JSON), a schedule_expression (UTC cron or rate), or object_created (S3 Object Created in bucket, keys matching one of the wildcards); the key names its target in `targets`."
  default     = {}

  validation {
    condition     = alltrue([for rule in values(var.rules) : (rule.event_pattern != null ? 1 : 0) + (rule.schedule_expression != null ? 1 : 0) + (rule.object_created != null ? 1 : 0) == 1])
    error_message = "Each rule takes exactly one of event_pattern, schedule_expression and object_created."
  }
}

variable "manual_trigger" {
  type = object({
    source      = string
    description = string
    command     = string
  })
  description = "The rule \"manual\" that `aws events put-events` starts: Source=<source>, DetailType=manual-trigger, Detail {\"environment\": \"<environment>\", ...}. description says what it runs (\"Runs etl-extract-transform-dev now\"); the rule's description adds the working command and that an entry without Detail is refused. null for none."
  default     = null
}

variable "targets" {
  type = map(object({
    id                        = string
    arn                       = string
    role                      = optional(bool, false)
    input_path                = optional(string)
    retry_attempts            = optional(number, 185)
    maximum_event_age_seconds = optional(number, 86400)
  }))
  description = "The target of each rule, by the rule's key (\"manual\" for manual_trigger). role: EventBridge starts it with this module's role (a state machine); a Lambda function takes a resource policy instead. Retries default to all EventBridge allows (185 within a day): events nobody else replays."

  validation {
    condition     = alltrue([for target in values(var.targets) : target.retry_attempts >= 0 && target.retry_attempts <= 185 && target.maximum_event_age_seconds >= 60 && target.maximum_event_age_seconds <= 86400])
    error_message = "A target's retry_attempts must be 0-185 and maximum_event_age_seconds 60-86400."
  }

  validation {
    condition     = toset(keys(var.targets)) == toset(concat(keys(var.rules), var.manual_trigger == null ? [] : ["manual"]))
    error_message = "targets must name one target for each rule key, and \"manual\" when manual_trigger is set."
  }
}

variable "dlq_alarm" {
  type = object({
    description = string
    name        = optional(string)
  })
  description = "The dead-letter queue's alarm: what a message in it means for operators, and its name (null: <name>-<environment>-events-dlq-not-empty)."
}

variable "role_description" {
  type        = string
  description = "Description of the role state-machine targets are started with; null gives a generic one."
  default     = null
}

variable "schedule" {
  type        = any
  description = "An EventBridge Scheduler schedule in JST, modules/schedule's name (without the environment) and its schedule input (description, expression cron(...)/rate(...)/at(...), target_arn, optional input, enabled, retry_attempts, maximum_event_age_seconds; that module checks it). It has its own role and dead-letter queue. null for none."
  default     = null
}
