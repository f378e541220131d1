output "table_name" {
  description = "The run ledger, pipeline-runs-<environment> (RUNS_TABLE of the recorder, the API, the processors and the pipelines' own recordRunStart)."
  value       = aws_dynamodb_table.runs.name
}

output "table_arn" {
  description = "ARN of the ledger, for the pipelines' GetItem/UpdateItem grant (their recordRunStart)."
  value       = aws_dynamodb_table.runs.arn
}

output "kms_key_arn" {
  description = "The runs key: encrypts the ledger, so a pipeline writing its start needs kms:Decrypt and kms:GenerateDataKey on it."
  value       = module.key.arn
}

output "default_bus_arn" {
  description = "The default event bus: the plain-Lambda pipelines' destination_bus_arn, from which the lambda rule feeds the recorder."
  value       = local.default_bus_arn
}

output "api_url" {
  description = "Base URL of the runs API stage (https://<id>.execute-api.<region>.amazonaws.com/<environment>); requests are SigV4-signed."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "api_execution_arn" {
  description = "Execution ARN of the API: grant callers execute-api:Invoke on \"<this>/<environment>/*/runs*\"."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "api_access_log_group_name" {
  description = "Access log group of the API stage (aws logs tail <this> --follow)."
  value       = aws_cloudwatch_log_group.api_access.name
}

output "reports_bucket_name" {
  description = "Bucket of the daily reports, reports/YYYY-MM-DD.json and .html."
  value       = module.reports_bucket.bucket
}

output "function_names" {
  description = "The module's functions (for the monitoring dashboard): recorder, API, stream processor, daily report."
  value = [
    module.recorder.function_name,
    module.api_function.function_name,
    module.stream_processor.function_name,
    module.daily_report.function_name,
  ]
}

output "report_schedule_name" {
  description = "The daily report's schedule (aws scheduler get-schedule --name <this>)."
  value       = module.report_schedule.name
}

output "stream_dlq_url" {
  description = "Queue of ledger stream records that failed every retry (their shard and sequence numbers)."
  value       = module.stream_dlq.url
}

output "feeds_dlq_url" {
  description = "Queue of run events EventBridge could not deliver to the recorder (replay: the writes are idempotent)."
  value       = module.feeds_dlq.url
}

output "dashboard_widgets" {
  description = "CloudWatch dashboard widgets (monitoring module extra_widgets): runs per pipeline and status, run duration, the API's traffic and latency, the stream processor's iterator age."
  value       = local.dashboard_widgets
}
