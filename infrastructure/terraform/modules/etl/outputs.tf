# One output per concern; environments/common passes `monitoring` to the monitoring module, the
# extract and load function names to the runs module, and names the rest in its `etl` output.

output "storage" {
  description = "bucket_name, the bucket holding etl-data/YYYY-MM-DD/<dataset>.jsonl.gz and manifest.json; kms_key_arn, the pipeline key encrypting the bucket, databases, secrets, queues and logs."
  value = {
    bucket_name = module.bucket.bucket
    kms_key_arn = module.key.arn
  }
}

output "functions" {
  description = "The three functions by role, each with function_name, function_arn and log_group_name (aws logs tail <name> --follow): extract, etl-extract-transform-<env> (aws lambda invoke --function-name <function_name> --payload '{\"date\":\"YYYY-MM-DD\"}' --cli-binary-format raw-in-base64-out out.json); load, etl-load-<env>, started by the manifest rule; initializer, etl-db-initializer-<env>, run by hand (make etl-init ENV=<env>)."
  value = {
    for role, f in { extract = module.extract, load = module.load, initializer = module.initializer } :
    role => { for k in ["function_name", "function_arn", "log_group_name"] : k => f[k] }
  }
}

output "triggers" {
  description = "schedule_name, the EventBridge Scheduler schedule running the extract at settings.schedule_time_jst (aws scheduler get-schedule --name <this>); manual_rule_name, the rule matching Source=etl, DetailType=manual-trigger and Detail {\"environment\": \"<env>\", \"date\" | \"from\"/\"to\"}; manifest_rule_name, the rule matching the Object Created event of etl-data/*/manifest.json; events_dlq_url, the queue of manual and manifest events EventBridge could not deliver."
  value = {
    schedule_name      = module.triggers.schedule.name
    manual_rule_name   = module.triggers.rules["manual"].name
    manifest_rule_name = module.triggers.rules["manifest_created"].name
    events_dlq_url     = module.triggers.dlq.url
  }
}

output "databases" {
  description = "The source PostgreSQL and the analytics Aurora cluster (target: daily_sales_summary, product_sales_summary, customer_analytics and the views), each with endpoint (the writer's host), name (the database) and secret_arn (the credentials, {\"username\",\"password\"})."
  value = {
    for role, db in { source = module.source_database, target = module.target_database } :
    role => { endpoint = db.endpoint, name = db.database_name, secret_arn = db.secret_arn }
  }
}

output "monitoring" {
  description = "What the monitoring module shows of etl: lambda_function_names (extract, load, initializer); and no_manifest_alarm_name, the alarm raised when no manifest was written in the 24 hours up to 03:00 JST."
  value = {
    lambda_function_names  = [for f in [module.extract, module.load, module.initializer] : f.function_name]
    no_manifest_alarm_name = aws_cloudwatch_metric_alarm.no_manifest.alarm_name
  }
}
