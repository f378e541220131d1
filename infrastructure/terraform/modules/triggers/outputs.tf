output "rules" {
  description = "The EventBridge rules by key (name, arn, event_pattern, schedule_expression, state, ...): source_arn of a function's allowed_triggers."
  value       = aws_cloudwatch_event_rule.this
}

output "targets" {
  description = "The rule targets by rule key (arn, role_arn, retry_policy, dead_letter_config, ...)."
  value       = aws_cloudwatch_event_target.this
}

output "role" {
  description = "The role EventBridge starts state-machine targets with (name, arn, path, ...), null when no target takes it."
  value       = one(aws_iam_role.this[*])
}

output "dlq" {
  description = "The rules' dead-letter queue (modules/eventbridge-dlq outputs: arn, url, name, alarm_arn, alarm_name)."
  value       = module.dlq
}

output "schedule" {
  description = "The schedule (modules/schedule outputs: name, arn, role_arn, dlq_arn, dlq_url), null without one."
  value       = one(module.schedule[*])
}
