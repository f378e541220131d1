# One output per concern; environments/common passes `monitoring` to the monitoring module and
# names the rest in its `salesforce_extract` output.

output "storage" {
  description = "Where the runs write: bucket_name, the raw bucket (raw/<Object>/year=YYYY/month=MM/day=DD/<Object>_YYYYMMDD_HHMM.csv and .manifest.json, JST run time); watermark_table_name, the DynamoDB table of the per-object watermarks (hash key object; deleting an object's item makes its next run a full extract); kms_key_arn, the pipeline key encrypting the bucket (unless bucket_kms_encrypted is false), secret, table, queues and logs."
  value = {
    bucket_name          = module.bucket.bucket
    watermark_table_name = module.watermarks.table.name
    kms_key_arn          = module.key.arn
  }
}

output "secret" {
  description = "The secret holding the connected app's JWT credentials (name, arn); its value is set out of band: aws secretsmanager put-secret-value --secret-id <name> --secret-string file://salesforce-secret.json."
  value       = { for k in ["name", "arn"] : k => aws_secretsmanager_secret.salesforce[k] }
}

output "function" {
  description = "salesforce-extract-<env>, every step of the state machine: function_name, function_arn, log_group_name (one line per object and step; aws logs tail <name> --follow)."
  value       = { for k in ["function_name", "function_arn", "log_group_name"] : k => module.function[k] }
}

output "state_machine" {
  description = "salesforce-extract-<env>: name (aws stepfunctions list-executions --state-machine-arn <arn>), arn, log_group_name of its executions."
  value       = { for k in ["name", "arn", "log_group_name"] : k => module.workflow[k] }
}

output "triggers" {
  description = "What starts a run: schedule_name, the EventBridge Scheduler schedule starting every configured object (aws scheduler get-schedule --name <this>); manual_rule_name, the rule matching Source=salesforce-extract, DetailType=manual-trigger and Detail {\"environment\": \"<env>\", \"objects\"?, \"full\"?}; manual_trigger_command, the command that extracts Account now (docs/salesforce-extract.md#operations has the other forms); events_dlq_url, the queue of manual triggers EventBridge could not deliver (the schedule has its own: module schedule)."
  value = {
    schedule_name          = module.triggers.schedule.name
    manual_rule_name       = module.triggers.rules["manual"].name
    manual_trigger_command = local.manual_trigger_command
    events_dlq_url         = module.triggers.dlq.url
  }
}

output "monitoring" {
  description = "What the monitoring module shows of salesforce-extract: lambda_function_names, state_machine_arns, extra_widgets (records per object; API calls used, empty and failed objects; errors by kind); and no_records_alarm_names, the no-records alarms by object (objects with alarm_when_empty)."
  value = {
    lambda_function_names  = [module.function.function_name]
    state_machine_arns     = [module.workflow.arn]
    extra_widgets          = local.dashboard_widgets
    no_records_alarm_names = module.alarms.names
  }
}
