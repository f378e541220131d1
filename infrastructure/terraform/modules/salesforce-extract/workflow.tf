# The salesforce-extract-<env> state machine, rendered from the ASL file the local runner
# executes too (scripts/local/stepfunctions/asl.ts fills the same placeholders).

locals {
  definition = templatefile("${local.functions_dir}/salesforce-extract/asl/salesforce-extract.asl.json", {
    function_arn    = module.function.function_arn
    max_concurrency = var.settings.max_concurrency
    poll_seconds    = var.settings.poll_seconds
    max_polls       = var.settings.max_polls
  })
}

module "workflow" {
  source = "../state-machine"

  name        = local.pipeline
  environment = var.environment
  # The function is salesforce-extract-<env> too, and lambda-function names its role after it.
  role_name  = "${local.prefix}-states"
  definition = local.definition

  lambda_function_arns = [module.function.function_arn]
  kms_key_arn          = module.key.arn

  # Execution data carries object names, counts, S3 keys and upload ids, never a secret
  # or a token; it is left out of the logs all the same, as in every pipeline.
  include_execution_data = false
  log_level              = "ERROR"
  log_retention_days     = var.log_retention_days
  tracing_enabled        = var.tracing_enabled
  alarm_topic_arn        = var.alarm_topic_arn
  alarm_runbook          = "An object failed (the execution's error ObjectsFailed names it and why) or the run could not start; see docs/salesforce-extract.md#troubleshooting."
  tags                   = local.tags

  iam_role_path            = var.iam_role_path
  permissions_boundary_arn = var.permissions_boundary_arn
}
