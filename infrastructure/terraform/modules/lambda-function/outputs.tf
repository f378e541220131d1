output "function_name" {
  description = "Deployed function name, \"<name>-<environment>\"."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the function (unqualified)."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "ARN to use in API Gateway / Step Functions integrations."
  value       = aws_lambda_function.this.invoke_arn
}

output "qualified_arn" {
  description = "ARN of the function including its version ($LATEST unless published)."
  value       = aws_lambda_function.this.qualified_arn
}

output "role_name" {
  description = "Name of the function's execution role (attach extra policies here if needed)."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "CloudWatch log group, \"/aws/lambda/<name>-<environment>\"."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the function's log group."
  value       = aws_cloudwatch_log_group.this.arn
}

output "dlq_arn" {
  description = "ARN of the SQS dead-letter queue receiving failed asynchronous invocations."
  value       = module.dlq.arn
}

output "dlq_url" {
  description = "URL of the SQS dead-letter queue."
  value       = module.dlq.url
}

output "alarm_arns" {
  description = "ARNs of the function's alarms, keyed errors, throttles, duration, dlq."
  value       = merge(module.alarms.arns, { dlq = module.dlq.alarm_arn })
}
