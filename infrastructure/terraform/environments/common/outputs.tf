output "environment" {
  description = "Environment of this root module."
  value       = var.environment
}

output "vpc_id" {
  description = "Id of the environment's VPC."
  value       = module.network.vpc_id
}

output "private_subnet_ids" {
  description = "Private subnets (Lambdas, databases)."
  value       = module.network.private_subnet_ids
}

output "lambda_security_group_id" {
  description = "Security group of Lambda functions in the VPC."
  value       = module.network.lambda_security_group_id
}

output "database_security_group_id" {
  description = "Security group of the databases."
  value       = module.network.database_security_group_id
}

output "alarm_topic_arn" {
  description = "SNS topic of every alarm."
  value       = module.monitoring.alarm_topic_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the environment."
  value       = module.monitoring.dashboard_name
}

output "pipeline_defaults" {
  description = "Per-environment settings passed to the pipeline modules (retention, deletion protection, capacity)."
  value       = local.pipeline_defaults
}

output "batch_scheduler" {
  description = "batch-scheduler names operators use: function, schedule rule, manual rule, API-key secret."
  value = {
    function_name      = module.batch_scheduler.function_name
    log_group_name     = module.batch_scheduler.log_group_name
    schedule_rule_name = module.batch_scheduler.schedule_rule_name
    schedule           = module.batch_scheduler.schedule_expression
    manual_rule_name   = module.batch_scheduler.manual_rule_name
    api_key_secret     = module.batch_scheduler.youtube_api_key_secret_name
  }
}

output "csv_processor" {
  description = "csv-processor names operators use: where to upload, the state machine, the audit table, and the Aurora cluster, master secret and database the RDS Data API takes."
  value = {
    input_bucket          = module.csv_processor.input_bucket_name
    output_bucket         = module.csv_processor.output_bucket_name
    state_machine_arn     = module.csv_processor.state_machine_arn
    processing_logs_table = module.csv_processor.processing_logs_table_name
    database_endpoint     = module.csv_processor.database_endpoint
    # The RDS Data API (docs/operations.md, "Reaching the databases"):
    #   aws rds-data execute-statement --resource-arn <database_cluster_arn> \
    #     --secret-arn <database_secret_arn> --database <database_name> --sql "..."
    database_cluster_arn = module.csv_processor.database_cluster_arn
    database_secret_arn  = module.csv_processor.database_secret_arn
    database_name        = module.csv_processor.database_name
  }
}

output "etl" {
  description = "etl names operators use: the bucket, the three functions, the schedule and rules, and the analytics database."
  value = {
    bucket_name                = module.etl.bucket_name
    extract_function_name      = module.etl.extract_function_name
    load_function_name         = module.etl.load_function_name
    initializer_function_name  = module.etl.initializer_function_name
    schedule_name              = module.etl.schedule_name
    manual_rule_name           = module.etl.manual_rule_name
    manifest_rule_name         = module.etl.manifest_rule_name
    source_database_endpoint   = module.etl.source_database_endpoint
    target_database_endpoint   = module.etl.target_database_endpoint
    target_database_name       = module.etl.target_database_name
    target_database_secret_arn = module.etl.target_database_secret_arn
  }
}
