# What feeds the recorder: runs end (and start) outside the pipelines' own code, so a run
# that crashes, times out or is killed is still recorded.
#   step-functions  "Step Functions Execution Status Change" of the state machines given
#                   (detail.status RUNNING|SUCCEEDED|FAILED|TIMED_OUT|ABORTED)
#   lambda          the destination records of the functions given, which Lambda puts on
#                   the default bus as source "lambda", detail-type "Lambda Function
#                   Invocation Result - Success" / "- Failure", detail = the invocation
#                   record (requestContext.functionArn is qualified: <arn>:$LATEST)
# A rule exists only when it has something to match (an empty list is not a valid pattern).

locals {
  feeds = merge(
    length(var.state_machine_arns) == 0 ? {} : {
      step-functions = {
        description = "Step Functions status changes of the pipelines' state machines → runs-recorder-${var.environment}."
        pattern = {
          source        = ["aws.states"]
          "detail-type" = ["Step Functions Execution Status Change"]
          detail = {
            stateMachineArn = var.state_machine_arns
            status          = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
          }
        }
      }
    },
    length(var.lambda_function_arns) == 0 ? {} : {
      lambda = {
        description = "Destination records (success and failure) of the plain-Lambda pipelines → runs-recorder-${var.environment}."
        pattern = {
          source        = ["lambda"]
          "detail-type" = ["Lambda Function Invocation Result - Success", "Lambda Function Invocation Result - Failure"]
          detail = {
            requestContext = {
              # "<arn>:" so that sync-batch-dev never matches sync-batch-dev-other.
              functionArn = [for arn in var.lambda_function_arns : { prefix = "${arn}:" }]
            }
          }
        }
      }
    },
  )
}

resource "aws_cloudwatch_event_rule" "feeds" {
  for_each = local.feeds

  name          = "runs-recorder-${var.environment}-${each.key}"
  description   = each.value.description
  event_pattern = jsonencode(each.value.pattern)
  tags          = local.tags
}

# Events the recorder could not take after the retries: replay them from here (the ledger
# writes are idempotent).
module "feeds_dlq" {
  source = "../eventbridge-dlq"

  name              = "runs-recorder-${var.environment}-events-dlq"
  source_rule_arns  = [for rule in aws_cloudwatch_event_rule.feeds : rule.arn]
  kms_key_arn       = module.key.arn
  alarm_description = "EventBridge could not deliver run events to runs-recorder-${var.environment}: those runs are missing from ${local.table_name} until replayed."
  alarm_topic_arn   = var.alarm_topic_arn
  tags              = local.tags
}

resource "aws_cloudwatch_event_target" "feeds" {
  for_each = local.feeds

  rule      = aws_cloudwatch_event_rule.feeds[each.key].name
  target_id = "runs-recorder"
  arn       = module.recorder.function_arn

  retry_policy {
    maximum_retry_attempts       = 10
    maximum_event_age_in_seconds = 86400
  }

  dead_letter_config {
    arn = module.feeds_dlq.arn
  }
}
