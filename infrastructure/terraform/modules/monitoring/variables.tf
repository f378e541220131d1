variable "alarm_topic" {
  type = object({
    emails      = optional(list(string), [])
    kms_key_arn = optional(string)
  })
  description = "The alarm topic: emails, the addresses subscribed to it (each must confirm the subscription); kms_key_arn, an existing customer-managed KMS key for it (null creates one whose policy lets CloudWatch and EventBridge publish, which the AWS-managed aws/sns key does not)."
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for e in var.alarm_topic.emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_topic.emails must be e-mail addresses."
  }
}

variable "dashboard" {
  type = object({
    lambda_function_names = optional(list(string), [])
    state_machine_arns    = optional(list(string), [])
    extra_widgets         = optional(list(any), [])
  })
  description = "What the environment's dashboard shows after its header: invocations, errors, throttles and duration of each deployed function (\"<function>-<environment>\"), the executions of each state machine (ARNs), then the widget objects (as in the dashboard body JSON) that pipeline modules contribute (extra_widgets)."
  default     = {}
  nullable    = false
}
