# The alarms (failed, timed-out, aborted) moved into the shared alarms module under the same
# keys: moved in state, not replaced.

moved {
  from = aws_cloudwatch_metric_alarm.this
  to   = module.alarms.aws_cloudwatch_metric_alarm.this
}
