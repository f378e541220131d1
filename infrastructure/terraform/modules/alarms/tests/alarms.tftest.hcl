# The shared alarm shape (mocked provider).

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

variables {
  alarms = {
    errors = {
      name        = "sync-batch-dev-errors"
      description = "sync-batch-dev reported an error."
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = "sync-batch-dev" }
      threshold   = 1
      # Errors counts failed invocations: one is enough.
      comparison_operator = "GreaterThanOrEqualToThreshold"
    }
    quota = {
      name        = "sync-batch-dev-quota-units"
      description = "Quota nearly spent."
      namespace   = "batch-scheduler"
      metric_name = "QuotaUnitsUsed"
      dimensions  = { service = "sync-batch", environment = "dev" }
      threshold   = 8000
      period      = 86400
    }
  }
}

run "without_a_topic" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["errors"].alarm_name == "sync-batch-dev-errors" && aws_cloudwatch_metric_alarm.this["errors"].comparison_operator == "GreaterThanOrEqualToThreshold"
    error_message = "Name and comparison as given."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["quota"].period == 86400 && aws_cloudwatch_metric_alarm.this["quota"].statistic == "Sum" && aws_cloudwatch_metric_alarm.this["quota"].comparison_operator == "GreaterThanThreshold"
    error_message = "Defaults: Sum, greater than the threshold; the period as given."
  }

  assert {
    condition     = alltrue([for a in values(aws_cloudwatch_metric_alarm.this) : length(a.alarm_actions) == 0 && a.treat_missing_data == "notBreaching"])
    error_message = "No actions without a topic; missing data is not an alarm."
  }
}

run "with_a_topic" {
  command = plan

  variables {
    alarm_topic_arn = "arn:aws:sns:ap-northeast-1:123456789012:platform-alarms-dev"
  }

  assert {
    condition     = alltrue([for a in values(aws_cloudwatch_metric_alarm.this) : a.alarm_actions == toset([var.alarm_topic_arn]) && a.ok_actions == toset([var.alarm_topic_arn])])
    error_message = "Every alarm notifies the topic when it fires and when it recovers."
  }
}

run "refuses_unknown_operators" {
  command = plan

  variables {
    alarms = {
      x = { name = "x", description = "x", namespace = "n", metric_name = "m", dimensions = {}, threshold = 0, comparison_operator = "Above", statistic = "p95" }
    }
  }

  expect_failures = [var.alarms]
}
