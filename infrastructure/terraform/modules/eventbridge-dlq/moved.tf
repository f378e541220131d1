# The alarm moved into the shared alarms module: moved in state, not replaced.

moved {
  from = aws_cloudwatch_metric_alarm.not_empty
  to   = module.alarm.aws_cloudwatch_metric_alarm.this["not_empty"]
}
