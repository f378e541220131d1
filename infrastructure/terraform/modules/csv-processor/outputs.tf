# One output per concern; environments/common picks the names operators use from them.

output "state_machine" {
  description = "csv-user-log-processor-<env>, the state-machine module's outputs: arn, name, log_group_name (errors only, no execution data), role and alarm ARNs."
  value       = module.workflow
}

output "events" {
  description = "rule_name: the EventBridge rule starting executions (disable it to pause intake: aws events disable-rule --name <this>); dlq: the eventbridge-dlq module's arn and url (events EventBridge could not deliver to the state machine; aws sqs receive-message --queue-url <url>)."
  value       = { rule_name = module.triggers.rules["object_created"].name, dlq = module.triggers.dlq }
}

output "buckets" {
  description = "The s3-bucket module's outputs (bucket, arn, …) of input (external systems upload CSV files under incoming/: grant them s3:PutObject on <arn>/incoming/*) and output (normalized copies, map results and summaries under results/, error reports under errors/)."
  value       = { input = module.input_bucket, output = module.output_bucket }
}

output "tables" {
  description = "DynamoDB tables, each {name, arn}: processing_logs (the audit table ProcessingLogs-<env>, one item per row outcome, GSI UserIdIndex) and file_claims (claimed object versions: duplicate delivery detection)."
  value = {
    for key, table in { processing_logs = module.processing_logs.table, file_claims = module.file_claims.table } :
    key => { name = table.name, arn = table.arn }
  }
}

output "functions" {
  description = "The three functions by folder name (csv-validator, csv-processor, csv-migrate), each {function_name, log_group_name}."
  value = {
    for folder, fn in { csv-validator = module.validator, csv-processor = module.processor, csv-migrate = module.migration } :
    folder => { function_name = fn.function_name, log_group_name = fn.log_group_name }
  }
}

output "database" {
  description = "The Aurora cluster, the postgres module's outputs: endpoint (writer), reader_endpoint (reports, ad-hoc queries), port, database_name (users, user_statistics), secret_arn (the RDS-managed master secret: the Data API's --secret-arn) and arn (the Data API's --resource-arn: aws rds-data execute-statement --resource-arn <arn> --secret-arn <secret_arn> --database <database_name> --sql ...)."
  value       = module.database
}

output "migration" {
  description = "csv-migrate, the db-migration module's outputs: function_name (invoke it to apply pending migrations by hand) and result (what it returned on the last apply that shipped a new package: {database, applied, current})."
  value       = module.migration
}

output "kms_key_arn" {
  description = "KMS key encrypting the buckets, tables, cluster, secret and logs."
  value       = module.key.arn
}
