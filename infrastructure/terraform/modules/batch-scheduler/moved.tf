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
