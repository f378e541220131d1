output "state_bucket" {
  description = "Terraform state bucket: set it as the repository variable TF_STATE_BUCKET (or in environments/<env>/backend.hcl)."
  value       = aws_s3_bucket.state.bucket
}

output "oidc_provider_arn" {
  description = "GitHub Actions OIDC provider."
  value       = local.oidc_arn
}

output "plan_role_arns" {
  description = "Plan role per environment: variable AWS_ROLE_ARN of the GitHub environment <env>-plan."
  value       = { for env, role in aws_iam_role.plan : env => role.arn }
}

output "apply_role_arns" {
  description = "Apply role per environment: variable AWS_ROLE_ARN of the GitHub environment <env>."
  value       = { for env, role in aws_iam_role.apply : env => role.arn }
}

output "workload_role_path" {
  description = "Path of every workload role the modules create (their iam_role_path)."
  value       = local.workload_path
}

output "workload_boundary_arns" {
  description = "Permissions boundary per environment: the modules' permissions_boundary_arn."
  value       = { for env, policy in aws_iam_policy.workload_boundary : env => policy.arn }
}

output "operator_policy_arns" {
  description = "Per environment, the managed policy operators need to run SQL on its databases (`make db-tunnel`, psql, the RDS Data API): attach it to their role, group or permission set."
  value       = { for env, policy in aws_iam_policy.operator_databases : env => policy.arn }
}

output "operator_runs_policy_arns" {
  description = "Per environment, the managed policy operators need for the runs API (`npm run runs -- --env <env>`): attach it to their role, group or permission set."
  value       = { for env, policy in aws_iam_policy.operator_runs : env => policy.arn }
}
