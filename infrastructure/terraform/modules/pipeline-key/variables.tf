variable "alias" {
  type        = string
  description = "Alias without the alias/ prefix; null gives <settings.pipeline>-<settings.environment>."
  default     = null
}

variable "publishing_services" {
  type        = list(string)
  description = "Service principals that write encrypted messages with the key on this account's behalf: EventBridge (dead-letter queues) by default, CloudWatch for an alarm topic."
  default     = ["events.amazonaws.com"]

  validation {
    condition     = length(var.publishing_services) > 0 && alltrue([for s in var.publishing_services : endswith(s, ".amazonaws.com")])
    error_message = "publishing_services must name at least one service principal (<service>.amazonaws.com)."
  }
}

variable "description" {
  type        = string
  description = "What the key encrypts, shown in the KMS console."
}

variable "deletion_window_in_days" {
  type        = number
  description = "Days a scheduled key deletion waits (7-30): the time to notice that data is about to become unreadable."
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}

