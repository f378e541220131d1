output "function_name" {
  description = "Deployed migrate function, <name>-<environment>: invoke it to migrate by hand (aws lambda invoke --function-name <this> /dev/stdout)."
  value       = module.function.function_name
}

output "function_arn" {
  description = "ARN of the migrate function."
  value       = module.function.function_arn
}

output "log_group_name" {
  description = "Log group of the migrate function."
  value       = module.function.log_group_name
}

output "result" {
  description = "What the last run returned: {database, applied (files applied by that run), current (latest applied version)}."
  value       = jsondecode(aws_lambda_invocation.this.result)
}
