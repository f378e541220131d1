variable "role_name" {
  type        = string
  description = "Name of the state machine's role; null gives <name>-<environment>. Set it when a function is named <name>-<environment> too (lambda-function names its role after the function)."
  default     = null
}

variable "definition" {
  type        = string
  description = "Amazon States Language definition (JSON), e.g. templatefile() of the functions/<name>/asl file the local runner executes too."
}

variable "type" {
  type        = string
  description = "STANDARD or EXPRESS."
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "EXPRESS"], var.type)
    error_message = "type must be STANDARD or EXPRESS."
  }
}

variable "lambda_function_arns" {
  type        = list(string)
  description = "Functions the definition invokes (lambda:InvokeFunction on each and its versions)."
  default     = []
}

variable "distributed_map" {
  type        = bool
  description = "The definition runs a distributed map: the role may start its own child executions and manage its executions and map runs."
  default     = false
}

variable "policy_json" {
  type        = string
  description = "Least-privilege policy document (JSON) for the other integrations of the definition (S3 item readers and result writers, DynamoDB, ...). null for none."
  default     = null
}

variable "log_level" {
  type        = string
  description = "Execution log level: ALL, ERROR, FATAL or OFF."
  default     = "ERROR"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL", "OFF"], var.log_level)
    error_message = "log_level must be ALL, ERROR, FATAL or OFF."
  }
}

variable "include_execution_data" {
  type        = bool
  description = "Log execution input and output. Off by default: execution data usually carries user data."
  default     = false
}

variable "alarm_runbook" {
  type        = string
  description = "Sentence appended to every alarm description, e.g. \"See docs/csv-processor.md#operations.\"."
  default     = null
}
