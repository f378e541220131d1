# API Gateway writes access logs with one role per account and region, set on the
# account (aws_api_gateway_account). It is account-wide: with api.manage_account_role
# one environment of an account owns it; another sharing the account sets false (see the
# variable). The role writes only this environment's API access log groups.

data "aws_iam_policy_document" "api_gateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "api_gateway_logs" {
  statement {
    # Access logs into existing groups (Terraform creates them); execution logs, which would
    # create groups of their own, stay off. The workload boundary caps it to this environment.
    sid       = "WriteApiAccessLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/apigateway/*-${var.environment}:*"]
  }

  statement {
    sid       = "FindLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "api_gateway_cloudwatch" {
  count = var.api.manage_account_role ? 1 : 0

  name                 = "api-gateway-cloudwatch-${var.environment}"
  path                 = var.platform.iam_role_path
  description          = "API Gateway's account-level CloudWatch Logs role (access logs of ${local.api_name})."
  assume_role_policy   = data.aws_iam_policy_document.api_gateway_assume.json
  permissions_boundary = var.platform.permissions_boundary_arn
  max_session_duration = 3600
  tags                 = local.tags
}

resource "aws_iam_role_policy" "api_gateway_cloudwatch" {
  count = var.api.manage_account_role ? 1 : 0

  name   = "api-gateway-cloudwatch-${var.environment}"
  role   = aws_iam_role.api_gateway_cloudwatch[0].id
  policy = data.aws_iam_policy_document.api_gateway_logs.json
}

resource "aws_api_gateway_account" "this" {
  count = var.api.manage_account_role ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.api_gateway_cloudwatch[0].arn

  depends_on = [aws_iam_role_policy.api_gateway_cloudwatch]
}
