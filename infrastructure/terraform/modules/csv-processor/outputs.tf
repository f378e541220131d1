output "state_machine_arn" {
  description = "ARN of the csv-user-log-processor-<env> state machine."
  value       = module.workflow.arn
}

output "state_machine_name" {
  description = "Name of the state machine (csv-user-log-processor-<env>)."
  value       = module.workflow.name
}

output "input_bucket_name" {
  description = "Bucket external systems upload CSV files to, under incoming/."
  value       = module.input_bucket.bucket
}

output "input_bucket_arn" {
  description = "ARN of the input bucket (grant uploaders s3:PutObject on <arn>/incoming/*)."
  value       = module.input_bucket.arn
}

output "output_bucket_name" {
  description = "Bucket holding normalized copies, map results and summaries (results/) and error reports (errors/)."
  value       = module.output_bucket.bucket
}

output "output_bucket_arn" {
  description = "ARN of the output bucket."
  value       = module.output_bucket.arn
}

output "processing_logs_table_name" {
  description = "DynamoDB audit table (ProcessingLogs-<env>): one item per row outcome, GSI UserIdIndex."
  value       = aws_dynamodb_table.processing_logs.name
}

output "processing_logs_table_arn" {
  description = "ARN of the audit table."
  value       = aws_dynamodb_table.processing_logs.arn
}

output "file_claims_table_name" {
  description = "DynamoDB table of claimed object versions (duplicate delivery detection)."
  value       = aws_dynamodb_table.file_claims.name
}

output "validator_function_name" {
  description = "Name of the csv-validator function."
  value       = module.validator.function_name
}

output "processor_function_name" {
  description = "Name of the csv-processor function."
  value       = module.processor.function_name
}

output "migrate_function_name" {
  description = "Name of the csv-migrate function (invoke it to apply pending migrations by hand)."
  value       = module.migration.function_name
}

output "function_log_group_names" {
  description = "Log groups of the three functions, by function folder name."
  value = {
    csv-validator = module.validator.log_group_name
    csv-processor = module.processor.log_group_name
    csv-migrate   = module.migration.log_group_name
  }
}

output "state_machine_log_group_name" {
  description = "Log group of the state machine (errors only, no execution data)."
  value       = module.workflow.log_group_name
}

output "database_endpoint" {
  description = "Aurora writer endpoint."
  value       = module.database.endpoint
}

output "database_reader_endpoint" {
  description = "Aurora reader endpoint (reports, ad-hoc queries)."
  value       = module.database.reader_endpoint
}

output "database_name" {
  description = "Database holding users and user_statistics."
  value       = module.database.database_name
}

output "database_secret_arn" {
  description = "ARN of the RDS-managed master user secret ({username, password}): the Data API's --secret-arn."
  value       = module.database.secret_arn
}

output "database_cluster_arn" {
  description = "ARN of the Aurora cluster: the Data API's --resource-arn (aws rds-data execute-statement --resource-arn <this> --secret-arn <database_secret_arn> --database <database_name> --sql ...)."
  value       = module.database.arn
}

output "kms_key_arn" {
  description = "KMS key encrypting the buckets, tables, cluster, secret and logs."
  value       = module.key.arn
}

output "event_rule_name" {
  description = "EventBridge rule starting executions (disable it to pause intake: aws events disable-rule --name <this>)."
  value       = aws_cloudwatch_event_rule.object_created.name
}

output "events_dlq_arn" {
  description = "Queue receiving events EventBridge could not deliver to the state machine."
  value       = module.events_dlq.arn
}

output "events_dlq_url" {
  description = "URL of the events dead-letter queue (aws sqs receive-message --queue-url <this>)."
  value       = module.events_dlq.url
}

output "database_port" {
  description = "PostgreSQL port of the cluster."
  value       = module.database.port
}

output "migration_result" {
  description = "What csv-migrate returned on the last apply that shipped a new package: {database, applied, current}."
  value       = module.migration.result
}
