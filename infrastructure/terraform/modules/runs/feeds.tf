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
    length(var.feeds.state_machine_arns) == 0 ? {} : {
      step-functions = {
        description = "Step Functions status changes of the pipelines' state machines → runs-recorder-${var.environment}."
        pattern = {
          source        = ["aws.states"]
          "detail-type" = ["Step Functions Execution Status Change"]
          detail = {
            stateMachineArn = var.feeds.state_machine_arns
            status          = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
          }
        }
      }
    },
    length(var.feeds.lambda_function_arns) == 0 ? {} : {
      lambda = {
        description = "Destination records (success and failure) of the plain-Lambda pipelines → runs-recorder-${var.environment}."
        pattern = {
          source        = ["lambda"]
          "detail-type" = ["Lambda Function Invocation Result - Success", "Lambda Function Invocation Result - Failure"]
          detail = {
            requestContext = {
              # "<arn>:" so that sync-batch-dev never matches sync-batch-dev-other.
              functionArn = [for arn in var.feeds.lambda_function_arns : { prefix = "${arn}:" }]
            }
          }
        }
      }
    },
  )
}

# The feeds, and the daily report's schedule (report.tf). Events the recorder could not take
# after the retries wait in runs-recorder-<env>-events-dlq: replay them from there (the ledger
# writes are idempotent).
module "triggers" {
  source = "../triggers"

  name     = "runs-recorder"
  settings = local.function_defaults
  rules = {
    for key, feed in local.feeds : key => {
      name          = "runs-recorder-${var.environment}-${key}"
      description   = feed.description
      event_pattern = jsonencode(feed.pattern)
    }
  }
  targets = {
    for key in keys(local.feeds) : key => { id = "runs-recorder", arn = module.recorder.function_arn, retry_attempts = 10 }
  }
  dlq_alarm = {
    description = "EventBridge could not deliver run events to runs-recorder-${var.environment}: those runs are missing from ${local.table_name} until replayed."
  }
  schedule = {
    name        = "runs-daily-report"
    description = "Runs runs-daily-report-${var.environment} (yesterday's runs, JST) at ${var.report.schedule_expression} in JST."
    expression  = var.report.schedule_expression
    target_arn  = module.daily_report.function_arn
    input       = local.report_input
    enabled     = var.schedule_enabled
  }
}
