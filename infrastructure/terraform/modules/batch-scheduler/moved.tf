# Where the resources of the single-file module went. Terraform moves them in state:
# the database is not replaced.

moved {
  from = aws_db_subnet_group.this[0]
  to   = module.database.aws_db_subnet_group.this[0]
}

moved {
  from = aws_db_parameter_group.this[0]
  to   = module.database.aws_db_parameter_group.this[0]
}

moved {
  from = aws_db_instance.this[0]
  to   = module.database.aws_db_instance.this[0]
}

moved {
  from = aws_lambda_permission.events["schedule"]
  to   = module.sync_batch.aws_lambda_permission.allowed["schedule"]
}

moved {
  from = aws_lambda_permission.events["manual"]
  to   = module.sync_batch.aws_lambda_permission.allowed["manual"]
}

moved {
  from = aws_cloudwatch_metric_alarm.quota
  to   = module.alarms.aws_cloudwatch_metric_alarm.this["quota"]
}

# The EventBridge rules, their targets and dead-letter queue moved into modules/triggers.

moved {
  from = aws_cloudwatch_event_rule.schedule
  to   = module.triggers.aws_cloudwatch_event_rule.this["schedule"]
}

moved {
  from = aws_cloudwatch_event_rule.manual
  to   = module.triggers.aws_cloudwatch_event_rule.this["manual"]
}

moved {
  from = aws_cloudwatch_event_target.sync_batch
  to   = module.triggers.aws_cloudwatch_event_target.this
}

moved {
  from = module.events_dlq
  to   = module.triggers.module.dlq
}
