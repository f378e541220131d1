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

  name     = local.pipeline
  settings = local.function_defaults
  # The function is salesforce-extract-<env> too, and lambda-function names its role after it.
  role_name  = "${local.prefix}-states"
  definition = local.definition

  lambda_function_arns = [module.function.function_arn]

  # Execution data carries object names, counts, S3 keys and upload ids, never a secret
  # or a token; it is left out of the logs all the same, as in every pipeline.
  include_execution_data = false
  log_level              = "ERROR"
  alarm_runbook          = "An object failed (the execution's error ObjectsFailed names it and why) or the run could not start; see docs/salesforce-extract.md#troubleshooting."
}
