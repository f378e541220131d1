variable "name" {
  type        = string
  description = "Name prefix: the topic is \"<name>-alarms-<environment>\" and the dashboard \"<name>-<environment>\"."
  default     = "platform"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be lower-case kebab-case, at most 31 characters."
  }
}

variable "alarm_emails" {
  type        = list(string)
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription)."
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_emails must be e-mail addresses."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "Existing customer-managed KMS key for the topic. null creates one whose policy lets CloudWatch and EventBridge publish (the AWS-managed aws/sns key does not)."
  default     = null
}

variable "lambda_function_names" {
  type        = list(string)
  description = "Deployed function names (\"<function>-<environment>\") shown on the dashboard."
  default     = []
}

variable "state_machine_arns" {
  type        = list(string)
  description = "Step Functions state machine ARNs shown on the dashboard."
  default     = []
}

variable "extra_widgets" {
  type        = list(any)
  description = "Additional CloudWatch dashboard widget objects (as in the dashboard body JSON) that pipeline modules contribute, appended after the generated ones."
  default     = []
}
