# Alarms beyond each function's own (errors, throttles, duration, dead-letter queue, from
# lambda-function) and the queues': the API's 5XX and latency, the stream processor falling
# behind, and the ledger throttled. Then the dashboard widgets the monitoring module shows.

locals {
  api_dimensions   = { ApiName = local.api_name, Stage = var.environment }
  table_dimensions = { TableName = local.table_name }

  # The stream processor's per-pipeline metrics (namespace runs; Powertools adds service and
  # environment to the pipeline dimension).
  metric_namespace = "runs"
  # functions/shared/runs-pipelines.ts LEDGER_PIPELINES (runs-ledger.terraform.test.ts compares them).
  ledger_pipelines = ["csv-processor", "batch-scheduler", "etl", "etl-load", "salesforce-extract"]
  run_metric = {
    for name in ["RunsSucceeded", "RunsFailed", "RunDuration"] : name => [
      for p in local.ledger_pipelines : [local.metric_namespace, name, "service", "runs-stream-processor", "environment", var.environment, "pipeline", p]
    ]
  }
}

locals {
  own_alarms = {
    api-5xx = {
      name        = "${local.api_name}-5xx"
      description = "${local.api_name} answered 5XX in the last 5 minutes. Access log: aws logs tail /aws/apigateway/${local.api_name} --since 1h; function: aws logs tail /aws/lambda/${local.api_name} --since 1h"
      namespace   = "AWS/ApiGateway"
      metric_name = "5XXError"
      dimensions  = local.api_dimensions
      statistic   = "Sum"
      threshold   = 0
    }
    api-latency = {
      name        = "${local.api_name}-latency"
      description = "${local.api_name} took over ${var.api.latency_alarm_ms} ms on average for 5 minutes (IntegrationLatency on the dashboard tells the function's share)."
      namespace   = "AWS/ApiGateway"
      metric_name = "Latency"
      dimensions  = local.api_dimensions
      statistic   = "Average"
      threshold   = var.api.latency_alarm_ms
    }
    stream-iterator-age = {
      name        = "runs-stream-processor-${var.environment}-iterator-age"
      description = "runs-stream-processor-${var.environment} is over ${var.stream.iterator_age_alarm_seconds} s behind the ${local.table_name} stream: failure notices are late (records older than 24 h are lost from the stream). Logs: aws logs tail /aws/lambda/runs-stream-processor-${var.environment} --since 1h"
      namespace   = "AWS/Lambda"
      metric_name = "IteratorAge"
      dimensions  = { FunctionName = module.stream_processor.function_name }
      statistic   = "Maximum"
      threshold   = var.stream.iterator_age_alarm_seconds * 1000
    }
  }

  # Reads and writes of the ledger throttled: one alarm each, alike but for what a throttle costs.
  throttle_alarms = {
    for op, what in {
      Read  = "Reads of ${local.table_name} were throttled in the last 5 minutes (the API and the report retry, but slow down)."
      Write = "Writes to ${local.table_name} were throttled in the last 5 minutes: the recorder retries, a run may be recorded late."
      } : "ledger-${lower(op)}-throttles" => {
      name        = "${local.table_name}-${lower(op)}-throttles"
      description = what
      namespace   = "AWS/DynamoDB"
      metric_name = "${op}ThrottleEvents"
      dimensions  = local.table_dimensions
      statistic   = "Sum"
      threshold   = 0
    }
  }

  alarms = merge(local.own_alarms, local.throttle_alarms)
}

module "alarms" {
  source = "../alarms"

  alarms          = local.alarms
  alarm_topic_arn = var.platform.alarm_topic.arn
  tags            = local.tags
}

locals {
  # For the monitoring module's dashboard.extra_widgets: runs per pipeline, then the API.
  dashboard_widgets = [
    for w in [
      { title = "runs succeeded per pipeline", stat = "Sum", period = 3600, metrics = local.run_metric["RunsSucceeded"] },
      { title = "runs failed, partial or timed out per pipeline", stat = "Sum", period = 3600, metrics = local.run_metric["RunsFailed"] },
      { title = "run duration per pipeline (s)", stat = "Maximum", period = 3600, metrics = local.run_metric["RunDuration"] },
      {
        title   = "${local.api_name}: requests, 4XX, 5XX"
        stat    = "Sum"
        period  = 300
        metrics = [for m in ["Count", "4XXError", "5XXError"] : ["AWS/ApiGateway", m, "ApiName", local.api_name, "Stage", var.environment]]
      },
      {
        title   = "${local.api_name}: latency (ms)"
        stat    = "Average"
        period  = 300
        metrics = [for m in ["Latency", "IntegrationLatency"] : ["AWS/ApiGateway", m, "ApiName", local.api_name, "Stage", var.environment]]
      },
      {
        title   = "runs-stream-processor-${var.environment}: iterator age (ms)"
        stat    = "Maximum"
        period  = 300
        metrics = [["AWS/Lambda", "IteratorAge", "FunctionName", module.stream_processor.function_name]]
      },
      ] : {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title   = "runs-${var.environment}: ${w.title}"
        region  = local.region
        view    = "timeSeries"
        stat    = w.stat
        period  = w.period
        metrics = w.metrics
      }
    }
  ]
}
