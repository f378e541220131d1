# JST → UTC conversion of the schedule, and the runbook names.
# Run offline: terraform init && terraform test (from the module folder).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
}

# The function module needs dist/sync-batch.zip at plan time; its wiring is not what
# these tests are about, so its outputs are given.
override_module {
  target = module.sync_batch
  outputs = {
    function_name  = "sync-batch-dev"
    function_arn   = "arn:aws:lambda:ap-northeast-1:123456789012:function:sync-batch-dev"
    invoke_arn     = "arn:aws:apigateway:ap-northeast-1:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-northeast-1:123456789012:function:sync-batch-dev/invocations"
    role_name      = "sync-batch-dev"
    role_arn       = "arn:aws:iam::123456789012:role/sync-batch-dev"
    log_group_name = "/aws/lambda/sync-batch-dev"
    dlq_arn        = "arn:aws:sqs:ap-northeast-1:123456789012:sync-batch-dev-dlq"
  }
}

variables {
  environment                = "dev"
  private_subnet_ids         = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
  lambda_security_group_id   = "sg-0aaaaaaaaaaaaaaaa"
  database_security_group_id = "sg-0bbbbbbbbbbbbbbbb"
}

run "midnight_jst_is_15_utc" {
  command = plan

  variables {
    schedule_times_jst = ["00:00"]
  }

  assert {
    condition     = aws_cloudwatch_event_rule.schedule.schedule_expression == "cron(0 15 * * ? *)"
    error_message = "00:00 JST must run at 15:00 UTC the previous day: got ${aws_cloudwatch_event_rule.schedule.schedule_expression}"
  }

  assert {
    condition     = aws_cloudwatch_event_rule.schedule.name == "sync-batch-dev-schedule"
    error_message = "The runbook disables the rule by the name sync-batch-<env>-schedule."
  }

  assert {
    condition     = aws_cloudwatch_event_rule.schedule.state == "ENABLED"
    error_message = "The schedule is enabled by default."
  }
}

run "three_runs_a_day_sorted_numerically" {
  command = plan

  variables {
    schedule_times_jst = ["00:00", "12:00", "18:00"]
  }

  assert {
    condition     = output.schedule_expression == "cron(0 3,9,15 * * ? *)"
    error_message = "00:00, 12:00, 18:00 JST must be 15, 03, 09 UTC listed in numeric order: got ${output.schedule_expression}"
  }
}

run "non_zero_minutes_and_duplicates" {
  command = plan

  variables {
    schedule_times_jst = ["09:30", "08:30", "23:30", "09:30"]
  }

  assert {
    condition     = output.schedule_expression == "cron(30 0,14,23 * * ? *)"
    error_message = "09:30/08:30/23:30 JST must be 00:30, 23:30 (previous day) and 14:30 UTC once each: got ${output.schedule_expression}"
  }
}

run "times_with_different_minutes_are_refused" {
  command = plan

  variables {
    schedule_times_jst = ["00:00", "12:30"]
  }

  expect_failures = [var.schedule_times_jst]
}

run "malformed_time_is_refused" {
  command = plan

  variables {
    schedule_times_jst = ["24:00"]
  }

  expect_failures = [var.schedule_times_jst]
}

run "manual_trigger_and_disabled_schedule" {
  command = plan

  variables {
    environment      = "prd"
    schedule_enabled = false
  }

  assert {
    condition     = aws_cloudwatch_event_rule.schedule.state == "DISABLED" && aws_cloudwatch_event_rule.schedule.name == "sync-batch-prd-schedule"
    error_message = "schedule_enabled = false must disable sync-batch-prd-schedule."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.manual.event_pattern) == { source = ["batch-scheduler"], "detail-type" = ["manual-trigger"] }
    error_message = "The manual rule must match `aws events put-events --entries Source=batch-scheduler,DetailType=manual-trigger`."
  }

  assert {
    condition     = aws_cloudwatch_event_target.sync_batch["schedule"].retry_policy[0].maximum_retry_attempts == 3 && length(aws_cloudwatch_event_target.sync_batch["manual"].dead_letter_config) == 1
    error_message = "Both targets need a retry policy and a dead-letter queue."
  }
}
