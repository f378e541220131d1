output "bucket_name" {
  description = "Raw bucket: raw/<Object>/year=YYYY/month=MM/day=DD/<Object>_YYYYMMDD_HHMM.csv and .manifest.json (JST run time)."
  value       = module.bucket.bucket
}

output "secret_name" {
  description = "Secret holding the connected app's JWT credentials; its value is set out of band: aws secretsmanager put-secret-value --secret-id <this> --secret-string file://salesforce-secret.json."
  value       = aws_secretsmanager_secret.salesforce.name
}

output "secret_arn" {
  description = "ARN of the Salesforce secret."
  value       = aws_secretsmanager_secret.salesforce.arn
}

output "watermark_table_name" {
  description = "DynamoDB table of the per-object watermarks (hash key object); deleting an object's item makes its next run a full extract."
  value       = aws_dynamodb_table.watermarks.name
}

output "function_name" {
  description = "salesforce-extract-<env>, every step of the state machine."
  value       = module.function.function_name
}

output "log_group_names" {
  description = "Log groups of the function (one line per object and step) and of the state machine's executions (aws logs tail <name> --follow)."
  value = {
    function      = module.function.log_group_name
    state_machine = module.workflow.log_group_name
  }
}

output "state_machine_name" {
  description = "salesforce-extract-<env> (aws stepfunctions list-executions --state-machine-arn <state_machine_arn>)."
  value       = module.workflow.name
}

output "state_machine_arn" {
  description = "ARN of the state machine, for the monitoring dashboard."
  value       = module.workflow.arn
}

output "schedule_name" {
  description = "EventBridge Scheduler schedule starting every configured object (aws scheduler get-schedule --name <this>)."
  value       = module.schedule.name
}

output "manual_rule_name" {
  description = "EventBridge rule matching Source=salesforce-extract, DetailType=manual-trigger and Detail {\"environment\": \"<env>\", \"objects\"?, \"full\"?}."
  value       = aws_cloudwatch_event_rule.manual.name
}

output "manual_trigger_command" {
  description = "The command that extracts Account now in this environment (see docs/salesforce-extract.md#operations for the other forms)."
  value       = local.manual_trigger_command
}

output "events_dlq_url" {
  description = "Queue receiving manual triggers EventBridge could not deliver (the schedule has its own: module schedule)."
  value       = module.events_dlq.url
}

output "no_records_alarm_names" {
  description = "No-records alarms by object (objects with alarm_when_empty)."
  value       = module.alarms.names
}

output "dashboard_widgets" {
  description = "CloudWatch dashboard widgets (records per object; API calls used, empty and failed objects; errors by kind) for the monitoring module's extra_widgets."
  value       = local.dashboard_widgets
}

output "kms_key_arn" {
  description = "The pipeline key encrypting the bucket (unless bucket_kms_encrypted is false), secret, table, queues and logs."
  value       = module.key.arn
}
