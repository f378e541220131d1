output "arns" {
  description = "Alarm ARNs by key."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }
}

output "names" {
  description = "Alarm names by key."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.alarm_name }
}
