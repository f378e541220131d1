variable "name" {
  type        = string
  description = "Queue name, e.g. \"sync-batch-prd-events-dlq\"."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.name))
    error_message = "name must be 1-80 letters, digits, hyphens or underscores (an SQS queue name)."
  }
}

variable "source_rule_arns" {
  type        = list(string)
  description = "ARNs of the EventBridge rules whose targets may send undelivered events here (through the queue policy). Empty for a queue written by a role: a Lambda function's on-failure destination or an EventBridge Scheduler schedule."
  default     = []
}

variable "alarm_name" {
  type        = string
  description = "Name of the not-empty alarm; null gives \"<name>-not-empty\"."
  default     = null
}

variable "alarm_description" {
  type        = string
  description = "What a message in the queue means for operators, e.g. \"EventBridge could not start csv-user-log-processor-prd.\""
}

