# The csv-user-log-processor-<env> state machine, rendered from the ASL file the local
# runner executes too.

data "aws_iam_policy_document" "workflow" {
  statement {
    sid     = "ReadRows"
    actions = ["s3:GetObject"]
    resources = [
      "${module.input_bucket.arn}/${local.incoming_prefix}*",
      "${module.output_bucket.arn}/${local.normalized_prefix}*",
    ]
  }

  statement {
    sid       = "WriteMapResults"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"]
    resources = ["${module.output_bucket.arn}/${local.results_prefix}*"]
  }
}

module "workflow" {
  source = "../state-machine"

  name     = "csv-user-log-processor"
  settings = local.function_defaults
  definition = templatefile("${local.functions_dir}/csv-processor/asl/csv-user-log-processor.asl.json", {
    validator_function_arn       = module.validator.function_arn
    processor_function_arn       = module.processor.function_arn
    output_bucket                = module.output_bucket.bucket
    results_prefix               = local.results_prefix
    batch_size                   = var.processing.batch_size
    max_concurrency              = var.processing.max_concurrency
    tolerated_failure_percentage = var.processing.tolerated_failure_percentage
  })

  lambda_function_arns = [module.validator.function_arn, module.processor.function_arn]
  distributed_map      = true
  policy_json          = data.aws_iam_policy_document.workflow.json

  # Execution data carries user ids and counts: never logged.
  include_execution_data = false
  log_level              = var.state_machine_log_level
  alarm_runbook          = "A file ended PROCESSING_FAILED or the execution could not finish; see docs/csv-processor.md#operations."
}
