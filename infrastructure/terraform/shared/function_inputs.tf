# Linked into the modules that deploy Lambda functions (the pipeline modules and runs): the part
# of lambda-function's settings (shared/function_settings.tf) their own inputs decide, written
# once; each module adds its pipeline name, key, tags and VPC placement (local.function_defaults).

locals {
  function_inputs = {
    environment              = var.environment
    log_retention_days       = var.log_retention_days
    log_level                = var.log_level
    tracing_enabled          = var.tracing_enabled
    alarm_topic_arn          = var.alarm_topic_arn
    iam_role_path            = var.iam_role_path
    permissions_boundary_arn = var.permissions_boundary_arn
  }
}
