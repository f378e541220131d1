# Naming, logging, tracing and alarms of the state-machine module (mocked provider).

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

variables {
  name = "csv-user-log-processor"
  settings = {
    environment              = "dev"
    pipeline                 = "csv-processor"
    alarm_topic_arn          = "arn:aws:sns:ap-northeast-1:123456789012:alarms-dev"
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/pipelines-workload-boundary-dev"
  }
  definition           = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
  lambda_function_arns = ["arn:aws:lambda:ap-northeast-1:123456789012:function:csv-validator-dev"]
  distributed_map      = true
  alarm_runbook        = "See docs/csv-processor.md#operations."
}

run "operable_state_machine" {
  command = apply

  assert {
    condition     = aws_sfn_state_machine.this.name == "csv-user-log-processor-dev" && aws_iam_role.this.name == "csv-user-log-processor-dev" && aws_iam_role.this.path == "/pipelines/" && aws_iam_role.this.permissions_boundary == var.settings.permissions_boundary_arn
    error_message = "State machine and role are <name>-<env>; the role lives under /pipelines/ with the environment's boundary (workload roles: bootstrap contract)."
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
    condition     = module.alarms.names == { aborted = "csv-user-log-processor-dev-executions-aborted", failed = "csv-user-log-processor-dev-executions-failed", timed-out = "csv-user-log-processor-dev-executions-timed-out" }
    error_message = "Alarms on failed, timed-out and aborted executions."
  }

  assert {
    condition     = local.runbook == " See docs/csv-processor.md#operations." && length(output.alarm_arns) == 3
    error_message = "Alarm descriptions carry the runbook."
  }
}

run "refuses_an_unknown_type_and_a_double_hyphen" {
  command = plan

  variables {
    name = "csv--processor"
    type = "EXPRESSO"
  }

  expect_failures = [var.name, var.type]
}

run "role_name_on_request" {
  command = apply

  variables {
    role_name = "csv-user-log-processor-dev-states"
  }

  assert {
    condition     = aws_iam_role.this.name == "csv-user-log-processor-dev-states" && aws_sfn_state_machine.this.name == "csv-user-log-processor-dev"
    error_message = "role_name names the role, never the state machine (a function may own <name>-<env>)."
  }
}
