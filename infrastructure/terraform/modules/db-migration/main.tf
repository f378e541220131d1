# The migrate function of one database and its run on every apply that ships a new
# package: the versioned SQL files travel inside the zip, so a new zip hash is exactly
# "there may be a migration to apply". The function applies what is pending under an
# advisory lock and returns {database, applied, current}; a failure fails the apply.

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "ReadDatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.database.secret_arn]
  }
}

module "function" {
  source = "../lambda-function"

  name         = var.name
  package_path = var.package_path
  description  = var.description
  # The settings' key encrypts the log group, the DLQ and the database secret: the base
  # policy's kms:Decrypt on it also opens the secret. Traced whatever the pipeline's setting.
  settings = merge(var.settings, { tracing_enabled = true })
  # The SQL runs in the database: the function only reads files and waits.
  memory_size = 256
  timeout     = var.timeout

  environment_variables = var.database.lambda_environment
  # One migration at a time; the advisory lock would serialize them anyway.
  reserved_concurrent_executions = 1
  policy_json                    = data.aws_iam_policy_document.this.json
  # Terraform invokes synchronously; a failed run fails the apply instead of retrying.
  maximum_retry_attempts = 0
}

resource "aws_lambda_invocation" "this" {
  function_name = module.function.function_name
  input         = jsonencode({ reason = "terraform apply" })

  triggers = merge({ package = filebase64sha256(var.package_path) }, var.triggers)
}
