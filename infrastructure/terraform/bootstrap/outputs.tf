output "state_bucket" {
  description = "Terraform state bucket: set it as the repository variable TF_STATE_BUCKET (or in environments/<env>/backend.hcl)."
  value       = aws_s3_bucket.state.bucket
}

output "oidc_provider_arn" {
  description = "GitHub Actions OIDC provider."
  value       = local.oidc_arn
}

output "github_role_arns" {
  description = "The variable AWS_ROLE_ARN of each GitHub environment, by its name: <env>-plan gets the plan role of <env>, <env> its apply role."
  value = merge(
    { for env, role in aws_iam_role.plan : "${env}-plan" => role.arn },
    { for env, role in aws_iam_role.apply : env => role.arn },
  )
}

output "workload_role_path" {
  description = "Path of every workload role the modules create (their iam_role_path)."
  value       = local.workload_path
}

output "workload_boundary_arns" {
  description = "Permissions boundary per environment: the modules' permissions_boundary_arn."
  value       = { for env in local.environments : env => aws_iam_policy.environment["workload-boundary-${env}"].arn }
}

output "operator_policy_arns" {
  description = "Per environment, the managed policies to attach to its operators' role, group or permission set: databases, to run SQL on its databases (`make db-tunnel`, psql, the RDS Data API); runs, for the runs API (`npm run runs -- --env <env>`)."
  value = {
    for env in local.environments : env => {
      databases = aws_iam_policy.environment["operator-databases-${env}"].arn
      runs      = aws_iam_policy.environment["operator-runs-${env}"].arn
    }
  }
}
