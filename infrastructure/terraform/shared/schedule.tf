# Linked into the pipeline modules run on a schedule and on a manual trigger (batch-scheduler,
# etl, salesforce-extract): what switches the schedule and how often a trigger is retried.

variable "schedule_enabled" {
  type        = bool
  description = "State of the pipeline's schedule; a disabled schedule stays deployed, and operators may also flip it without Terraform (the module README names the rule or schedule)."
  default     = true
}

variable "event_retry_attempts" {
  type        = number
  description = "Retries (0-185) when the schedule or a manual trigger cannot reach the pipeline's target; then the event goes to a dead-letter queue."
  default     = 3

  validation {
    condition     = var.event_retry_attempts >= 0 && var.event_retry_attempts <= 185
    error_message = "event_retry_attempts must be between 0 and 185."
  }
}
