output "alarm_topic" {
  description = "The encrypted SNS topic every alarm notifies: arn, name, and kms_key_arn, the key encrypting it (created or given; pipelines that publish to the topic need it, and may reuse it for queues and logs)."
  value = {
    arn         = aws_sns_topic.alarms.arn
    name        = aws_sns_topic.alarms.name
    kms_key_arn = local.kms_key_arn
  }
}

output "dashboard_name" {
  description = "Name of the environment's CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}
