# runs (the ledger of every pipeline run, its REST API, notices and daily report), in its own
# file like salesforce-extract.tf. Every pipeline that exists feeds it: the state machines by
# their status changes, the plain-Lambda functions by their destinations (runs_ledger, which
# also gives them RUNS_TABLE for their own start record). Linked into dev/ and prd/ like main.tf.

variable "runs_manage_api_gateway_account_role" {
  type        = bool
  description = "Let this environment own API Gateway's account-level CloudWatch role (needed for the runs API's access logs). One per account and region: when dev and prd share an account, set false in exactly one of them (modules/runs README, \"API Gateway's account-level CloudWatch role\")."
  default     = true
}

variable "runs_api_throttling" {
  # The defaults and checks are the runs module's (api.throttling): what is unset here reaches it as null.
  type = object({
    rate_limit  = optional(number)
    burst_limit = optional(number)
  })
  description = "Throttling of the runs API stage: requests per second and burst (unset: the runs module's defaults, 10 and 20)."
  default     = {}
}

locals {
  # The plain-Lambda pipelines' functions, by name: the ARNs the recorder's lambda rule matches.
  runs_lambda_function_names = [
    module.batch_scheduler.function.function_name,
    module.etl.functions.extract.function_name,
    module.etl.functions.load.function_name,
  ]

  # What the ledger feeds into batch-scheduler and etl (main.tf passes it as runs_ledger).
  runs_ledger = module.runs.ledger
}

module "runs" {
  source = "../../modules/runs"

  environment = var.environment
  # The stream processor and the report publish to the alarm topic with its key.
  platform = local.platform

  feeds = {
    state_machine_arns = concat(
      [module.csv_processor.state_machine.arn],
      module.salesforce_extract[*].state_machine.arn,
    )
    lambda_function_arns = [
      for name in local.runs_lambda_function_names :
      "arn:${data.aws_partition.current.partition}:lambda:${var.region}:${data.aws_caller_identity.current.account_id}:function:${name}"
    ]
  }

  api = {
    throttling          = var.runs_api_throttling
    manage_account_role = var.runs_manage_api_gateway_account_role
  }
  schedule_enabled = var.schedules_enabled
}

locals {
  # What the monitoring module shows of runs.
  runs_monitoring = module.runs.monitoring
}

output "runs" {
  description = "runs names operators use: the API's URL (SigV4, npm run runs -- --env <env>) and execution ARN (callers need execute-api:Invoke on <api_execution_arn>/<env>/*), the ledger table, the reports bucket, the access log group and the report schedule."
  value = {
    api_url                   = module.runs.operations.api.url
    api_execution_arn         = module.runs.operations.api.execution_arn
    table_name                = module.runs.ledger.table_name
    reports_bucket_name       = module.runs.operations.report.bucket_name
    api_access_log_group_name = module.runs.operations.api.access_log_group_name
    report_schedule_name      = module.runs.operations.report.schedule_name
  }
}
