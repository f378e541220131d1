# Alarms and dashboard widgets. Failed, timed-out and aborted executions alarm through the
# state-machine block, the function's errors and durations through lambda-function,
# undelivered triggers through the dead-letter queues. One more per object with
# alarm_when_empty: a run that wrote none of its rows. The function's commit step records,
# once per object and run, RecordsExtracted (namespace salesforce-extract, dimensions service,
# environment, object), 0 included; a window without a run has no datapoint and stays OK.

locals {
  metric_namespace = local.pipeline
  metric_dimensions = {
    service     = local.pipeline
    environment = var.environment
  }

  empty_alarm_objects = [for o in var.objects : o.name if o.alarm_when_empty]

  # The named errors' metrics (functions/salesforce-extract/errors.ts), one count per failed step.
  error_metrics = [
    "SalesforceAuthErrors", "SalesforceSessionErrors", "SalesforceQueryErrors", "SalesforceLimitErrors",
    "SalesforceTransientErrors", "SalesforceApiErrors", "BulkJobFailures", "LocatorMissing",
    "RecordCountMismatches", "SalesforceTruncatedBodies", "OutputExists",
  ]

  # For the monitoring module's dashboard.extra_widgets: rows per object, API calls, empty and failed
  # objects, errors by kind; hourly sums.
  dashboard_widgets = [
    for w in [
      {
        title   = "records written per object"
        metrics = [for o in var.objects : [local.metric_namespace, "RecordsExtracted", "service", local.pipeline, "environment", var.environment, "object", o.name]]
      },
      {
        title   = "API calls used, empty and failed objects"
        metrics = [for m in ["ApiCallsUsed", "EmptyExtractions", "ObjectsFailed"] : [local.metric_namespace, m, "service", local.pipeline, "environment", var.environment]]
      },
      {
        title   = "errors by kind"
        metrics = [for m in local.error_metrics : [local.metric_namespace, m, "service", local.pipeline, "environment", var.environment]]
      },
      ] : {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title   = "${local.prefix}: ${w.title}"
        region  = data.aws_region.current.id
        view    = "timeSeries"
        stat    = "Sum"
        period  = 3600
        metrics = w.metrics
      }
    }
  ]
}

data "aws_region" "current" {}

module "alarms" {
  source = "../alarms"

  alarms = {
    for name in local.empty_alarm_objects : "${name}-no-records" => {
      name                = "${local.prefix}-${name}-no-records"
      description         = "${name} normally has rows, but the runs of the last ${var.settings.alarm_hours} h wrote none: check the object's WHERE, the integration user's access to ${name} (field-level security, sharing) and the manifest's watermark; see docs/salesforce-extract.md#troubleshooting."
      namespace           = local.metric_namespace
      metric_name         = "RecordsExtracted"
      dimensions          = merge(local.metric_dimensions, { object = name })
      statistic           = "Sum"
      period              = var.settings.alarm_hours * 3600
      comparison_operator = "LessThanThreshold"
      threshold           = 1
    }
  }
  alarm_topic_arn = var.platform.alarm_topic.arn
  tags            = local.tags
}
