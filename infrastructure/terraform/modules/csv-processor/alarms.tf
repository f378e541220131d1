# The pipeline's own alarm; the functions', the state machine's and the events DLQ's
# come from their building blocks.

resource "aws_cloudwatch_metric_alarm" "files_rejected" {
  alarm_name          = "${local.prefix}-files-rejected"
  alarm_description   = "An uploaded CSV failed validation (VALIDATION_FAILED); its report is in errors/ of the output bucket."
  namespace           = "csv-processor"
  metric_name         = "FilesRejected"
  dimensions          = { service = "csv-validator", environment = var.environment }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
  tags                = local.tags
}
