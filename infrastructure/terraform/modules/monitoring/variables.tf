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

variable "dashboard" {
  type = object({
    lambda_function_names = optional(list(string), [])
    state_machine_arns    = optional(list(string), [])
    extra_widgets         = optional(list(any), [])
  })
  description = "What the environment's dashboard shows after its header: invocations, errors, throttles and duration of each deployed function (\"<function>-<environment>\"), the executions of each state machine (ARNs), then the widget objects (as in the dashboard body JSON) that pipeline modules contribute (extra_widgets)."
  default     = {}
}
