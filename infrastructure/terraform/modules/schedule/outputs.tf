output "name" {
  description = "Schedule name, <name>-<environment> (aws scheduler get-schedule --name <this>)."
  value       = aws_scheduler_schedule.this.name
}

output "arn" {
  description = "ARN of the schedule."
  value       = aws_scheduler_schedule.this.arn
}

output "role_arn" {
  description = "ARN of the role the schedule reaches its target with."
  value       = aws_iam_role.this.arn
}

output "dlq_arn" {
  description = "Queue receiving events the schedule could not deliver."
  value       = module.dlq.arn
}

output "dlq_url" {
  description = "URL of the dead-letter queue (aws sqs receive-message --queue-url <this>)."
  value       = module.dlq.url
}
