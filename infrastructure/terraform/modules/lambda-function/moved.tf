# Addresses of resources that moved without changing: the alarms became one for_each,
# then the shared alarms module, and the dead-letter queue the shared eventbridge-dlq
# module. Terraform moves them in state (following the chain) instead of replacing them.

moved {
  from = aws_cloudwatch_metric_alarm.errors
  to   = aws_cloudwatch_metric_alarm.this["errors"]
}

moved {
  from = aws_cloudwatch_metric_alarm.throttles
  to   = aws_cloudwatch_metric_alarm.this["throttles"]
}

moved {
  from = aws_cloudwatch_metric_alarm.duration
  to   = aws_cloudwatch_metric_alarm.this["duration"]
}

moved {
  from = aws_cloudwatch_metric_alarm.dlq
  to   = module.dlq.aws_cloudwatch_metric_alarm.not_empty
}

moved {
  from = aws_sqs_queue.dlq
  to   = module.dlq.aws_sqs_queue.this
}

moved {
  from = aws_sqs_queue_policy.dlq
  to   = module.dlq.aws_sqs_queue_policy.this
}

moved {
  from = aws_cloudwatch_metric_alarm.this["errors"]
  to   = module.alarms.aws_cloudwatch_metric_alarm.this["errors"]
}

moved {
  from = aws_cloudwatch_metric_alarm.this["throttles"]
  to   = module.alarms.aws_cloudwatch_metric_alarm.this["throttles"]
}

moved {
  from = aws_cloudwatch_metric_alarm.this["duration"]
  to   = module.alarms.aws_cloudwatch_metric_alarm.this["duration"]
}
