output "alarm_topic_arn" {
  description = "ARN of the encrypted SNS topic every alarm notifies."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_topic_name" {
  description = "Name of the alarm topic."
  value       = aws_sns_topic.alarms.name
}

output "kms_key_arn" {
  description = "KMS key encrypting the alarm topic (created or given). Pipelines may reuse it for queues and logs."
  value       = local.kms_key_arn
}

output "dashboard_name" {
  description = "Name of the environment's CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}
