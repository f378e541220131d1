# The pipeline's own alarm; the functions', the state machine's and the events DLQ's
# come from their building blocks.

module "alarms" {
  source = "../alarms"

  alarms = {
    files_rejected = {
      name        = "${local.prefix}-files-rejected"
      description = "An uploaded CSV failed validation (VALIDATION_FAILED); its report is in errors/ of the output bucket."
      namespace   = "csv-processor"
      metric_name = "FilesRejected"
      dimensions  = { service = "csv-validator", environment = var.environment }
      threshold   = 0
    }
  }
  alarm_topic_arn = var.platform.alarm_topic.arn
  tags            = local.tags
}
