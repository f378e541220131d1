# Object Created on incoming/*.csv starts an execution; what EventBridge cannot
# deliver goes to the events dead-letter queue.

resource "aws_cloudwatch_event_rule" "object_created" {
  name        = local.prefix
  description = "Starts ${module.workflow.name} for each CSV uploaded under ${local.incoming_prefix}."
  event_pattern = jsonencode({
    source        = ["aws.s3"]
    "detail-type" = ["Object Created"]
    detail = {
      bucket = { name = [module.input_bucket.bucket] }
      object = { key = [{ wildcard = "${local.incoming_prefix}*.csv" }, { wildcard = "${local.incoming_prefix}*.CSV" }] }
    }
  })
  tags = local.tags
}

data "aws_iam_policy_document" "events_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "events_target" {
  statement {
    sid       = "StartProcessing"
    actions   = ["states:StartExecution"]
    resources = [module.workflow.arn]
  }
}

resource "aws_iam_role" "events_target" {
  name                 = "${local.prefix}-events"
  path                 = var.iam_role_path
  description          = "Lets the ${local.prefix} EventBridge rule start ${module.workflow.name}."
  assume_role_policy   = data.aws_iam_policy_document.events_assume.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = local.tags
}

resource "aws_iam_role_policy" "events_target" {
  name   = "${local.prefix}-events"
  role   = aws_iam_role.events_target.id
  policy = data.aws_iam_policy_document.events_target.json
}

module "events_dlq" {
  source = "../eventbridge-dlq"

  name              = "${local.prefix}-events-dlq"
  source_rule_arns  = [aws_cloudwatch_event_rule.object_created.arn]
  kms_key_arn       = module.key.arn
  alarm_name        = "${local.prefix}-events-undelivered"
  alarm_description = "EventBridge could not start ${module.workflow.name}."
  alarm_topic_arn   = var.alarm_topic_arn
  tags              = local.tags
}

resource "aws_cloudwatch_event_target" "state_machine" {
  rule      = aws_cloudwatch_event_rule.object_created.name
  target_id = "csv-user-log-processor"
  arn       = module.workflow.arn
  role_arn  = aws_iam_role.events_target.arn

  # S3 events are not replayed by anyone else: retry for the whole day EventBridge allows.
  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  dead_letter_config {
    arn = module.events_dlq.arn
  }
}
