output "function_name" {
  description = "Deployed function name, sync-batch-<env> (what `make sync-<env>` invokes)."
  value       = module.sync_batch.function_name
}

output "function_arn" {
  description = "ARN of the sync-batch function."
  value       = module.sync_batch.function_arn
}

output "log_group_name" {
  description = "Log group of the function: aws logs tail <this> --follow."
  value       = module.sync_batch.log_group_name
}

output "schedule_rule_name" {
  description = "EventBridge rule of the schedule; aws events disable-rule / enable-rule --name <this>."
  value       = aws_cloudwatch_event_rule.schedule.name
}

output "schedule_expression" {
  description = "UTC cron expression the JST schedule_times_jst were converted to."
  value       = local.schedule_expression
}

output "manual_rule_name" {
  description = "EventBridge rule matching Source=batch-scheduler, DetailType=manual-trigger and Detail {\"environment\": \"<env>\"} on the default bus."
  value       = aws_cloudwatch_event_rule.manual.name
}

output "events_dlq_arn" {
  description = "Queue receiving schedule/manual events EventBridge could not deliver."
  value       = module.events_dlq.arn
}

output "events_dlq_url" {
  description = "URL of the events dead-letter queue (aws sqs receive-message --queue-url <this>)."
  value       = module.events_dlq.url
}

output "function_dlq_arn" {
  description = "Queue receiving asynchronous invocations that failed after Lambda's retries."
  value       = module.sync_batch.dlq_arn
}

output "youtube_api_key_secret_arn" {
  description = "Secret whose value must be set out of band to {\"apiKey\": \"...\"}."
  value       = aws_secretsmanager_secret.youtube_api_key.arn
}

output "youtube_api_key_secret_name" {
  description = "Name of the API key secret (for aws secretsmanager put-secret-value --secret-id)."
  value       = aws_secretsmanager_secret.youtube_api_key.name
}

output "database_endpoint" {
  description = "Host of the PostgreSQL the function writes to."
  value       = module.database.endpoint
}

output "database_port" {
  description = "Port of the PostgreSQL the function writes to."
  value       = module.database.port
}

output "database_name" {
  description = "Database the function writes to."
  value       = module.database.database_name
}

output "database_secret_arn" {
  description = "Secret holding the database credentials ({\"username\",\"password\"})."
  value       = module.database.secret_arn
}

output "migrate_function_name" {
  description = "Name of the sync-batch-migrate function (invoke it to apply pending migrations by hand)."
  value       = module.migration.function_name
}

output "migration_result" {
  description = "What sync-batch-migrate returned on the last apply that shipped a new package: {database, applied, current}."
  value       = module.migration.result
}

output "kms_key_arn" {
  description = "The pipeline key encrypting the archive, secrets, database, queues and logs."
  value       = module.key.arn
}

output "archive_bucket_name" {
  description = "Bucket archiving each run's CSV, or null when archive_bucket_enabled is false."
  value       = var.archive_bucket_enabled ? module.archive_bucket[0].bucket : null
}
