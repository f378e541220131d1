variable "name" {
  type        = string
  description = "Pipeline name (e.g. \"csv-processor\"); the key's alias is alias/<name>-<environment>."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.name))
    error_message = "name must be lower-case kebab-case."
  }
}

variable "environment" {
  type        = string
  description = "Deployment environment: \"dev\" or \"prd\". Suffix of every resource name."

  validation {
    condition     = contains(["dev", "prd"], var.environment)
    error_message = "environment must be \"dev\" or \"prd\"."
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

variable "tags" {
  type        = map(string)
  description = "Tags on the key."
  default     = {}
}
