# Linked into lambda-function and db-migration (which hands it on), and into the building blocks
# around the functions (state-machine, schedule, triggers: each reads what it needs): how a module
# deploys its functions, built once per module (local.function_defaults: in a pipeline module from
# shared/pipeline.tf's local.function_settings, in runs in its functions.tf) so that a call
# names only what is the function's own (name, package, size, variables, policy, triggers).

variable "settings" {
  type = object({
    environment              = string
    pipeline                 = string
    permissions_boundary_arn = string
    iam_role_path            = optional(string, "/pipelines/")
    tags                     = optional(map(string), {})
    kms_key_arn              = optional(string)
    vpc_config = optional(object({
      subnet_ids         = list(string)
      security_group_ids = list(string)
    }))
    log_retention_days = optional(number, 7)
    log_level          = optional(string, "INFO")
    tracing_enabled    = optional(bool, true)
    alarm_topic_arn    = optional(string)
  })
  description = "How the module deploys its functions: environment (\"dev\" or \"prd\", the name suffix), pipeline (the Pipeline tag), permissions_boundary_arn and iam_role_path (the bootstrap's workload-role contract, shared/workload_role.tf), tags, kms_key_arn (customer-managed key of the log group and dead-letter queue; null: CloudWatch Logs' default encryption and SQS-managed SSE), vpc_config (private subnets and the Lambda security group; null: outside any VPC), log_retention_days and log_level (shared/logs.tf), tracing_enabled (X-Ray Active, else PassThrough) and alarm_topic_arn (null: alarms without actions)."

  validation {
    condition     = contains(["dev", "prd"], var.settings.environment)
    error_message = "settings.environment must be \"dev\" or \"prd\"."
  }

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.settings.pipeline))
    error_message = "settings.pipeline must be lower-case kebab-case."
  }

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.settings.log_retention_days)
    error_message = "settings.log_retention_days must be a retention period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.settings.log_level)
    error_message = "settings.log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL."
  }
}
