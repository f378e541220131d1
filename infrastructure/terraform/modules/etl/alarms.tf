# Errors and durations alarm per function (lambda-function). One more: a day with no manifest.
# etl-extract-transform emits RecordsExtracted (namespace etl) once per date it writes, even for
# a date without orders; no datapoint in the 24 hours up to 03:00 JST means the 02:00 JST run
# wrote no manifest. Hourly periods, missing ones breaching, all 24 required.

resource "aws_cloudwatch_metric_alarm" "no_manifest" {
  alarm_name          = "${local.prefix}-no-manifest"
  alarm_description   = "No etl manifest was written in the last 24 hours (the 02:00 JST run of ${module.extract.function_name} did not finish by 03:00 JST): check its logs, then backfill: scripts/ops/trigger.sh etl ${var.environment} '{\"date\":\"YYYY-MM-DD\"}'."
  namespace           = local.pipeline
  metric_name         = "RecordsExtracted"
  dimensions          = { service = "etl-extract-transform", environment = var.environment }
  statistic           = "SampleCount"
  period              = 3600
  evaluation_periods  = 24
  datapoints_to_alarm = 24
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = compact([var.platform.alarm_topic.arn])
  ok_actions          = compact([var.platform.alarm_topic.arn])
  tags                = local.tags
}
