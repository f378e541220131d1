# The migrate function's wiring and its run on apply (mocked provider).

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

variables {
  name         = "sync-batch-migrate"
  package_path = "../lambda-function/tests/fixtures/function.zip"
  description  = "Applies functions/sync-batch-migrate/migrations to shirogane."
  database = {
    lambda_environment = {
      DB_SECRET_ARN = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!db-1"
      DB_HOST       = "instance.postgres.example"
      DB_PORT       = "5432"
      DB_NAME       = "shirogane"
    }
    secret_arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!db-1"
  }
  settings = {
    environment              = "dev"
    pipeline                 = "batch-scheduler"
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/pipelines-workload-boundary-dev"
    vpc_config = {
      subnet_ids         = ["subnet-a", "subnet-b"]
      security_group_ids = ["sg-lambda"]
    }
  }
}

run "runs_on_a_new_package" {
  command = apply

  variables {
    triggers = { reason = "re-run after restoring a snapshot" }
  }

  assert {
    condition     = output.function_name == "sync-batch-migrate-dev" && output.log_group_name == "/aws/lambda/sync-batch-migrate-dev"
    error_message = "Deployed as <name>-<env>, the name the apply role may invoke."
  }

  assert {
    condition     = aws_lambda_invocation.this.function_name == "sync-batch-migrate-dev" && aws_lambda_invocation.this.triggers["package"] == filebase64sha256(var.package_path)
    error_message = "The migration runs again whenever the package hash changes."
  }

  assert {
    condition     = output.result.database == "shirogane" && output.result.applied == ["001_initial.sql"]
    error_message = "The run's result {database, applied, current} is an output."
  }

  assert {
    condition     = module.function.function_name == "sync-batch-migrate-dev"
    error_message = "The function is a lambda-function module."
  }

  assert {
    condition     = aws_lambda_invocation.this.triggers["reason"] == "re-run after restoring a snapshot" && length(aws_lambda_invocation.this.triggers) == 2
    error_message = "Given triggers are added to the package hash."
  }
}

run "refuses_a_name_the_apply_role_cannot_invoke_and_missing_connection" {
  command = plan

  variables {
    name     = "sync-batch-schema"
    database = { lambda_environment = { DB_HOST = "h" }, secret_arn = "s" }
  }

  expect_failures = [var.name, var.database]
}
