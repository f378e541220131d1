# Naming, logging, tracing and alarms of the state-machine module (mocked provider).

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

variables {
  name                 = "csv-user-log-processor"
  environment          = "dev"
  definition           = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
  lambda_function_arns = ["arn:aws:lambda:ap-northeast-1:123456789012:function:csv-validator-dev"]
  distributed_map      = true
  alarm_topic_arn      = "arn:aws:sns:ap-northeast-1:123456789012:alarms-dev"
  alarm_runbook        = "See docs/csv-processor.md#operations."
}

run "operable_state_machine" {
  command = apply

  assert {
    condition     = aws_sfn_state_machine.this.name == "csv-user-log-processor-dev" && aws_iam_role.this.name == "csv-user-log-processor-dev"
    error_message = "State machine and role are <name>-<env>."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/vendedlogs/states/csv-user-log-processor-dev" && aws_sfn_state_machine.this.logging_configuration[0].include_execution_data == false && aws_sfn_state_machine.this.logging_configuration[0].level == "ERROR"
    error_message = "Errors logged to the vended log group, never execution data."
  }

  assert {
    condition     = aws_sfn_state_machine.this.tracing_configuration[0].enabled == true
    error_message = "X-Ray on by default."
  }

  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.this) == ["aborted", "failed", "timed-out"] && aws_cloudwatch_metric_alarm.this["aborted"].metric_name == "ExecutionsAborted"
    error_message = "Alarms on failed, timed-out and aborted executions."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["failed"].alarm_description == "An execution of csv-user-log-processor-dev failed. See docs/csv-processor.md#operations." && aws_cloudwatch_metric_alarm.this["timed-out"].alarm_actions == toset([var.alarm_topic_arn])
    error_message = "Alarm descriptions carry the runbook and notify the topic."
  }
}

run "refuses_an_unknown_type" {
  command = plan

  variables {
    type = "EXPRESSO"
  }

  expect_failures = [var.type]
}
