# One output per concern; environments/common picks the names operators use from them.

output "function" {
  description = "sync-batch-<env> (what `make sync-<env>` invokes), the lambda-function module's outputs: function_name, function_arn, log_group_name (aws logs tail <this> --follow), dlq_arn (asynchronous invocations that failed after Lambda's retries), role and alarm ARNs."
  value       = module.sync_batch
}

output "triggers" {
  description = "schedule_rule_name (aws events disable-rule / enable-rule --name <this>), schedule_expression (the UTC cron the JST schedule_times_jst became), manual_rule_name (Source=batch-scheduler, DetailType=manual-trigger, Detail {\"environment\": \"<env>\"} on the default bus), and events_dlq (the eventbridge-dlq module's arn and url: events EventBridge could not deliver; aws sqs receive-message --queue-url <url>)."
  value = {
    schedule_rule_name  = module.triggers.rules["schedule"].name
    schedule_expression = local.schedule_expression
    manual_rule_name    = module.triggers.rules["manual"].name
    events_dlq          = module.triggers.dlq
  }
}

output "youtube_api_key_secret" {
  description = "The secret whose value must be set out of band to {\"apiKey\": \"...\"}: name (aws secretsmanager put-secret-value --secret-id <name>) and arn."
  value       = { name = aws_secretsmanager_secret.youtube_api_key.name, arn = aws_secretsmanager_secret.youtube_api_key.arn }
}

output "database" {
  description = "The PostgreSQL the function writes to, the postgres module's outputs: endpoint, port, database_name, secret_arn (credentials {\"username\",\"password\"}), arn and identifier (null for an existing server)."
  value       = module.database
}

output "migration" {
  description = "sync-batch-migrate, the db-migration module's outputs: function_name (invoke it to apply pending migrations by hand) and result (what it returned on the last apply that shipped a new package: {database, applied, current})."
  value       = module.migration
}

output "kms_key_arn" {
  description = "The pipeline key encrypting the archive, secrets, database, queues and logs."
  value       = module.key.arn
}

output "archive_bucket_name" {
  description = "Bucket archiving each run's CSV, or null when archive.enabled is false."
  value       = one(module.archive_bucket[*].bucket)
}
