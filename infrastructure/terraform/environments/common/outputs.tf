output "environment" {
  description = "Environment of this root module."
  value       = var.environment
}

output "platform" {
  description = "What the pipelines stand on: network (the network module's outputs: vpc with its subnets, route tables, availability zones, NAT gateway count and endpoint ids; security_group_ids lambda, database, bastion; bastion_instance_id), alarm_topic (arn, name, and kms_key_arn, the key encrypting it) and pipeline_defaults (the per-environment settings passed to the pipeline modules: environment, retention, log level, deletion protection, schedules, Aurora capacity)."
  value = {
    network           = module.network
    alarm_topic       = module.monitoring.alarm_topic
    pipeline_defaults = local.pipeline_defaults
  }
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the environment."
  value       = module.monitoring.dashboard_name
}

output "batch_scheduler" {
  description = "batch-scheduler names operators use: function, schedule rule, manual rule, API-key secret."
  value = {
    function_name      = module.batch_scheduler.function.function_name
    log_group_name     = module.batch_scheduler.function.log_group_name
    schedule_rule_name = module.batch_scheduler.triggers.schedule_rule_name
    schedule           = module.batch_scheduler.triggers.schedule_expression
    manual_rule_name   = module.batch_scheduler.triggers.manual_rule_name
    api_key_secret     = module.batch_scheduler.youtube_api_key_secret.name
  }
}

output "csv_processor" {
  description = "csv-processor names operators use: where to upload, the state machine, the audit table, and the Aurora cluster, master secret and database the RDS Data API takes."
  value = {
    input_bucket          = module.csv_processor.buckets.input.bucket
    output_bucket         = module.csv_processor.buckets.output.bucket
    state_machine_arn     = module.csv_processor.state_machine.arn
    processing_logs_table = module.csv_processor.tables.processing_logs.name
    database_endpoint     = module.csv_processor.database.endpoint
    # The RDS Data API (docs/operations.md, "Reaching the databases"):
    #   aws rds-data execute-statement --resource-arn <database_cluster_arn> \
    #     --secret-arn <database_secret_arn> --database <database_name> --sql "..."
    database_cluster_arn = module.csv_processor.database.arn
    database_secret_arn  = module.csv_processor.database.secret_arn
    database_name        = module.csv_processor.database.database_name
  }
}

output "etl" {
  description = "etl names operators use: the bucket, the three functions, the schedule and rules, and the analytics database."
  value = {
    bucket_name                = module.etl.storage.bucket_name
    extract_function_name      = module.etl.functions.extract.function_name
    load_function_name         = module.etl.functions.load.function_name
    initializer_function_name  = module.etl.functions.initializer.function_name
    schedule_name              = module.etl.triggers.schedule_name
    manual_rule_name           = module.etl.triggers.manual_rule_name
    manifest_rule_name         = module.etl.triggers.manifest_rule_name
    source_database_endpoint   = module.etl.databases.source.endpoint
    target_database_endpoint   = module.etl.databases.target.endpoint
    target_database_name       = module.etl.databases.target.name
    target_database_secret_arn = module.etl.databases.target.secret_arn
  }
}
