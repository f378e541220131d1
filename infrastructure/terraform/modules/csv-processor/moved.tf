# Where the resources of the single-file module went. Terraform moves them in state:
# no bucket, table, key, function or database is replaced.

# Pipeline key
moved {
  from = aws_kms_key.this
  to   = module.key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.this
  to   = module.key.aws_kms_alias.this
}

# Aurora
moved {
  from = aws_db_subnet_group.this
  to   = module.database.aws_db_subnet_group.this[0]
}

moved {
  from = aws_rds_cluster.this
  to   = module.database.aws_rds_cluster.this[0]
}

moved {
  from = aws_rds_cluster_instance.this["writer"]
  to   = module.database.aws_rds_cluster_instance.this["writer"]
}

moved {
  from = aws_rds_cluster_instance.this["reader"]
  to   = module.database.aws_rds_cluster_instance.this["reader"]
}

# Migration
moved {
  from = module.migrate
  to   = module.migration.module.function
}

moved {
  from = aws_lambda_invocation.migrate
  to   = module.migration.aws_lambda_invocation.this
}

# State machine
moved {
  from = aws_cloudwatch_log_group.state_machine
  to   = module.workflow.aws_cloudwatch_log_group.this
}

moved {
  from = aws_iam_role.state_machine
  to   = module.workflow.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.state_machine
  to   = module.workflow.aws_iam_role_policy.this
}

moved {
  from = aws_sfn_state_machine.this
  to   = module.workflow.aws_sfn_state_machine.this
}

moved {
  from = aws_cloudwatch_metric_alarm.executions_failed
  to   = module.workflow.aws_cloudwatch_metric_alarm.this["failed"]
}

moved {
  from = aws_cloudwatch_metric_alarm.executions_timed_out
  to   = module.workflow.aws_cloudwatch_metric_alarm.this["timed-out"]
}

# Alarms
moved {
  from = aws_cloudwatch_metric_alarm.files_rejected
  to   = module.alarms.aws_cloudwatch_metric_alarm.this["files_rejected"]
}

# The EventBridge rule, its target, role and dead-letter queue moved into modules/triggers.

moved {
  from = aws_cloudwatch_event_rule.object_created
  to   = module.triggers.aws_cloudwatch_event_rule.this["object_created"]
}

moved {
  from = aws_cloudwatch_event_target.state_machine
  to   = module.triggers.aws_cloudwatch_event_target.this["object_created"]
}

moved {
  from = aws_iam_role.events_target
  to   = module.triggers.aws_iam_role.this[0]
}

moved {
  from = aws_iam_role_policy.events_target
  to   = module.triggers.aws_iam_role_policy.this[0]
}

moved {
  from = module.events_dlq
  to   = module.triggers.module.dlq
}

# The tables moved into the dynamodb-table building block: moved in state, not replaced.
moved {
  from = aws_dynamodb_table.processing_logs
  to   = module.processing_logs.aws_dynamodb_table.this
}

moved {
  from = aws_dynamodb_table.file_claims
  to   = module.file_claims.aws_dynamodb_table.this
}
