# The runs REST API: runs-api-<env>, regional, one stage named after the environment.
#   /runs                       GET (list)
#   /runs/{pipeline}            POST (manual run)
#   /runs/{pipeline}/{runId}    GET (one run)
#   /health                     GET
# Every resource takes ANY method with AWS_IAM authorization and hands the request to
# runs-api-<env> (Lambda proxy): the function's router answers 404/405 itself, in the same
# {error, message} JSON as every other error. Callers sign with SigV4 (npm run runs --
# --env <env>) and need execute-api:Invoke on this API's ARN.

locals {
  api_name       = "runs-api-${var.environment}"
  access_log_arn = aws_cloudwatch_log_group.api_access.arn

  # API Gateway's resources, by key: the parent's key (null for the root) and the path part.
  api_routes = {
    runs     = { parent = null, path_part = "runs" }
    pipeline = { parent = "runs", path_part = "{pipeline}" }
    run      = { parent = "pipeline", path_part = "{runId}" }
    health   = { parent = null, path_part = "health" }
  }

  # One JSON object per request (CloudWatch Logs Insights reads the fields by name).
  access_log_format = jsonencode({
    requestId          = "$context.requestId"
    extendedRequestId  = "$context.extendedRequestId"
    time               = "$context.requestTime"
    httpMethod         = "$context.httpMethod"
    resourcePath       = "$context.resourcePath"
    path               = "$context.path"
    status             = "$context.status"
    responseLength     = "$context.responseLength"
    responseLatency    = "$context.responseLatency"
    integrationLatency = "$context.integration.latency"
    integrationStatus  = "$context.integration.status"
    errorMessage       = "$context.error.message"
    caller             = "$context.identity.caller"
    userArn            = "$context.identity.userArn"
    sourceIp           = "$context.identity.sourceIp"
    xrayTraceId        = "$context.xrayTraceId"
  })
}

resource "aws_api_gateway_rest_api" "this" {
  name        = local.api_name
  description = "Run ledger of every pipeline (${local.table_name}): list, show, trigger. IAM-authorized (SigV4)."

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = local.tags
}

# The tree is three levels deep: each level references the one above it.
resource "aws_api_gateway_resource" "top" {
  for_each = { for k, r in local.api_routes : k => r if r.parent == null }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_resource" "pipeline" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.top["runs"].id
  path_part   = local.api_routes.pipeline.path_part
}

resource "aws_api_gateway_resource" "run" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.pipeline.id
  path_part   = local.api_routes.run.path_part
}

locals {
  api_resource_ids = merge(
    { for k, r in aws_api_gateway_resource.top : k => r.id },
    {
      pipeline = aws_api_gateway_resource.pipeline.id
      run      = aws_api_gateway_resource.run.id
    },
  )
}

resource "aws_api_gateway_method" "this" {
  for_each = local.api_routes

  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = local.api_resource_ids[each.key]
  http_method   = "ANY"
  authorization = "AWS_IAM"
}

resource "aws_api_gateway_integration" "this" {
  for_each = local.api_routes

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = local.api_resource_ids[each.key]
  http_method             = aws_api_gateway_method.this[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = module.api_function.invoke_arn
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  # A new deployment whenever a route, method or integration changes (the stage keeps
  # serving the previous one until then).
  triggers = {
    redeployment = sha1(jsonencode([
      local.api_routes,
      [for m in aws_api_gateway_method.this : [m.id, m.authorization]],
      [for i in aws_api_gateway_integration.this : [i.id, i.uri]],
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/aws/apigateway/${local.api_name}"
  retention_in_days = var.platform.log_retention_days
  kms_key_id        = module.key.arn
  tags              = local.tags
}

resource "aws_api_gateway_stage" "this" {
  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = aws_api_gateway_deployment.this.id
  stage_name           = var.environment
  description          = "The ${var.environment} stage of ${local.api_name}."
  xray_tracing_enabled = true

  access_log_settings {
    destination_arn = local.access_log_arn
    format          = local.access_log_format
  }

  tags = local.tags

  # Access logs need the account's CloudWatch role in place first.
  depends_on = [aws_api_gateway_account.this]
}

resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    throttling_rate_limit  = var.api.throttling.rate_limit
    throttling_burst_limit = var.api.throttling.burst_limit
    # Access logs say what happened; execution logs (unmanaged log groups) stay off.
    logging_level   = "OFF"
    metrics_enabled = false
  }
}
