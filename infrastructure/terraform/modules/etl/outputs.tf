output "bucket_name" {
  description = "Bucket holding etl-data/YYYY-MM-DD/<dataset>.jsonl.gz and manifest.json."
  value       = module.bucket.bucket
}

output "extract_function_name" {
  description = "etl-extract-transform-<env>: aws lambda invoke --function-name <this> --payload '{\"date\":\"YYYY-MM-DD\"}' --cli-binary-format raw-in-base64-out out.json."
  value       = module.extract.function_name
}

output "load_function_name" {
  description = "etl-load-<env>, started by the manifest rule."
  value       = module.load.function_name
}

output "initializer_function_name" {
  description = "etl-db-initializer-<env>, run by hand (make etl-init ENV=<env>)."
  value       = module.initializer.function_name
}

output "function_names" {
  description = "The three functions, for the monitoring dashboard."
  value       = [module.extract.function_name, module.load.function_name, module.initializer.function_name]
}

output "log_group_names" {
  description = "Log groups of the three functions (aws logs tail <name> --follow)."
  value = {
    extract     = module.extract.log_group_name
    load        = module.load.log_group_name
    initializer = module.initializer.log_group_name
  }
}

output "schedule_name" {
  description = "EventBridge Scheduler schedule running the extract at 02:00 JST (aws scheduler get-schedule --name <this>)."
  value       = module.schedule.name
}

output "manual_rule_name" {
  description = "EventBridge rule matching Source=etl, DetailType=manual-trigger and Detail {\"environment\": \"<env>\", \"date\" | \"from\"/\"to\"}."
  value       = aws_cloudwatch_event_rule.manual.name
}

output "manifest_rule_name" {
  description = "EventBridge rule matching the Object Created event of etl-data/*/manifest.json."
  value       = aws_cloudwatch_event_rule.manifest_created.name
}

output "events_dlq_url" {
  description = "Queue receiving manual and manifest events EventBridge could not deliver."
  value       = module.events_dlq.url
}

output "source_database_endpoint" {
  description = "Host of the source PostgreSQL."
  value       = module.source_database.endpoint
}

output "source_database_secret_arn" {
  description = "Secret with the source credentials ({\"username\",\"password\"})."
  value       = module.source_database.secret_arn
}

output "target_database_endpoint" {
  description = "Writer endpoint of the analytics Aurora cluster."
  value       = module.target_database.endpoint
}

output "target_database_name" {
  description = "Database holding daily_sales_summary, product_sales_summary, customer_analytics and the views."
  value       = module.target_database.database_name
}

output "target_database_secret_arn" {
  description = "Secret with the analytics credentials ({\"username\",\"password\"})."
  value       = module.target_database.secret_arn
}

output "no_manifest_alarm_name" {
  description = "Alarm raised when no manifest was written in the 24 hours up to 03:00 JST."
  value       = aws_cloudwatch_metric_alarm.no_manifest.alarm_name
}

output "kms_key_arn" {
  description = "The pipeline key encrypting the bucket, databases, secrets, queues and logs."
  value       = module.key.arn
}
