# One output per consumer; environments/common passes `ledger` to the pipelines as runs_ledger,
# `monitoring` to the monitoring module, and names `operations` in its `runs` output.

output "ledger" {
  description = "The run ledger as the pipelines take it (their runs_ledger input): table_name pipeline-runs-<environment> (RUNS_TABLE of the recorder, the API, the processors and the pipelines' own recordRunStart), table_arn for their GetItem/UpdateItem grant, kms_key_arn of the runs key encrypting it (a pipeline writing its start needs kms:Decrypt and kms:GenerateDataKey on it), and destination_bus_arn, the default event bus the plain-Lambda pipelines send their destinations to (lambda-function destination_bus_arn), from which the lambda rule feeds the recorder."
  value = {
    table_name          = module.ledger.table.name
    table_arn           = module.ledger.table.arn
    kms_key_arn         = module.key.arn
    destination_bus_arn = local.default_bus_arn
  }
}

output "operations" {
  description = "What operators reach. api: url, the base URL of its stage (https://<id>.execute-api.<region>.amazonaws.com/<environment>; requests are SigV4-signed), execution_arn (grant callers execute-api:Invoke on \"<this>/<environment>/*/runs*\"), access_log_group_name of the stage (aws logs tail <this> --follow). report: bucket_name of reports/YYYY-MM-DD.json and .html, schedule_name of its schedule (aws scheduler get-schedule --name <this>). dead_letter_queue_urls: stream, ledger stream records that failed every retry (their shard and sequence numbers); feeds, run events EventBridge could not deliver to the recorder (replay: the writes are idempotent)."
  value = {
    api = {
      url                   = aws_api_gateway_stage.this.invoke_url
      execution_arn         = aws_api_gateway_rest_api.this.execution_arn
      access_log_group_name = aws_cloudwatch_log_group.api_access.name
    }
    report = {
      bucket_name   = module.reports_bucket.bucket
      schedule_name = module.triggers.schedule.name
    }
    dead_letter_queue_urls = {
      stream = module.stream_dlq.url
      feeds  = module.triggers.dlq.url
    }
  }
}

output "monitoring" {
  description = "What the monitoring module shows of runs: lambda_function_names (recorder, API, stream processor, daily report) and extra_widgets (runs per pipeline and status, run duration, the API's traffic and latency, the stream processor's iterator age)."
  value = {
    lambda_function_names = [for f in [module.recorder, module.api_function, module.stream_processor, module.daily_report] : f.function_name]
    extra_widgets         = local.dashboard_widgets
  }
}
