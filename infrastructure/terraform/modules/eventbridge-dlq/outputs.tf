output "arn" {
  description = "Queue ARN, for the target's dead_letter_config."
  value       = aws_sqs_queue.this.arn
}

output "url" {
  description = "Queue URL, for `aws sqs receive-message` when replaying events."
  value       = aws_sqs_queue.this.id
}

output "name" {
  description = "Queue name."
  value       = aws_sqs_queue.this.name
}

output "alarm_arn" {
  description = "ARN of the not-empty alarm."
  value       = module.alarm.arns["not_empty"]
}

output "alarm_name" {
  description = "Name of the not-empty alarm."
  value       = module.alarm.names["not_empty"]
}
