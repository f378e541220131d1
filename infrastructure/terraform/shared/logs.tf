# Defined once and linked into every module that deploys Lambda functions: the same
# log settings mean the same thing everywhere.

variable "log_retention_days" {
  type        = number
  description = "Retention of the functions' log groups (/aws/lambda/<function>-<environment>) and, in a pipeline, of its state machine's, in days."
  default     = 7

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "log_level" {
  type        = string
  description = "Application log level of the functions: logging_config.application_log_level and POWERTOOLS_LOG_LEVEL."
  default     = "INFO"

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL."
  }
}
