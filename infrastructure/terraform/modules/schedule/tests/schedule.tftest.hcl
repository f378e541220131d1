# JST schedules through EventBridge Scheduler (mocked provider).

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

variables {
  name = "etl-extract"
  settings = {
    environment              = "dev"
    pipeline                 = "etl"
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/pipelines-workload-boundary-dev"
  }
  schedule = {
    description = "Runs etl-extract-dev daily at 02:00 JST."
    expression  = "cron(0 2 * * ? *)"
    target_arn  = "arn:aws:lambda:ap-northeast-1:123456789012:function:etl-extract-dev"
    input       = "{\"source\":\"schedule\"}"
  }
}

run "two_am_jst" {
  command = apply

  assert {
    condition     = aws_iam_role.this.name == "etl-extract-dev-scheduler" && aws_iam_role.this.path == "/pipelines/" && aws_iam_role.this.permissions_boundary == var.settings.permissions_boundary_arn
    error_message = "Workload roles live under /pipelines/ with the environment's boundary (bootstrap contract)."
  }

  assert {
    condition     = aws_scheduler_schedule.this.name == "etl-extract-dev" && aws_scheduler_schedule.this.schedule_expression_timezone == "Asia/Tokyo" && aws_scheduler_schedule.this.schedule_expression == "cron(0 2 * * ? *)"
    error_message = "The schedule is written in JST, not converted to UTC."
  }

  assert {
    condition     = aws_scheduler_schedule.this.state == "ENABLED" && aws_scheduler_schedule.this.flexible_time_window[0].mode == "OFF"
    error_message = "Enabled, at the exact time."
  }

  assert {
    condition     = aws_scheduler_schedule.this.target[0].retry_policy[0].maximum_retry_attempts == 3 && aws_scheduler_schedule.this.target[0].dead_letter_config[0].arn == output.dlq_arn
    error_message = "Bounded retries, then the dead-letter queue."
  }

  assert {
    condition     = local.target_actions[local.service] == "lambda:InvokeFunction" && aws_scheduler_schedule.this.target[0].input == "{\"source\":\"schedule\"}"
    error_message = "A function target is invoked with the given input."
  }
}

run "state_machine_target_disabled" {
  command = plan

  variables {
    name = "salesforce-extract"
    schedule = {
      description = "Starts salesforce-extract-dev."
      expression  = "cron(0 3 * * ? *)"
      target_arn  = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:salesforce-extract-dev"
      enabled     = false
    }
  }

  assert {
    condition     = local.target_actions[local.service] == "states:StartExecution" && aws_scheduler_schedule.this.state == "DISABLED"
    error_message = "A state machine target is started; a disabled schedule stays deployed."
  }
}

run "refuses_unknown_targets_and_expressions" {
  command = plan

  variables {
    schedule = {
      description = "Runs etl-extract-dev daily at 02:00 JST."
      target_arn  = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/x"
      expression  = "0 2 * * *"
    }
  }

  expect_failures = [aws_scheduler_schedule.this]
}
