# The alarms moved into the shared alarms module: moved in state, not replaced.

moved {
  from = aws_cloudwatch_metric_alarm.this["failed"]
  to   = module.alarms.aws_cloudwatch_metric_alarm.this["failed"]
}

moved {
  from = aws_cloudwatch_metric_alarm.this["timed-out"]
  to   = module.alarms.aws_cloudwatch_metric_alarm.this["timed-out"]
}

moved {
  from = aws_cloudwatch_metric_alarm.this["aborted"]
  to   = module.alarms.aws_cloudwatch_metric_alarm.this["aborted"]
}
