# A pipeline's triggers (mocked provider): the manual rule of one environment with its
# working command, an S3 Object Created rule, retries and the one dead-letter queue, the
# JST schedule, the role state-machine targets are started with, and the checks on the inputs.

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

variables {
  name = "etl"
  settings = {
    environment              = "dev"
    pipeline                 = "etl"
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/pipelines-workload-boundary-dev"
  }
  schedule = {
    name        = "etl-extract"
    description = "Runs etl-extract-transform-dev daily at 02:00 JST."
    expression  = "cron(0 2 * * ? *)"
    target_arn  = "arn:aws:lambda:ap-northeast-1:123456789012:function:etl-extract-transform-dev"
    input       = "{\"source\":\"schedule\"}"
  }
  manual_trigger = {
    source      = "etl"
    description = "Runs etl-extract-transform-dev now"
    command     = "aws events put-events --entries '[{\"Source\":\"etl\",\"DetailType\":\"manual-trigger\",\"Detail\":\"{\\\"environment\\\":\\\"dev\\\"}\"}]'"
  }
  rules = {
    manifest_created = {
      name           = "etl-dev-manifest-created"
      description    = "Starts etl-load-dev when a manifest lands under etl-data/."
      object_created = { bucket = "etl-dev-data", keys = ["etl-data/*/manifest.json"] }
    }
  }
  targets = {
    manual           = { id = "etl-extract-transform", arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:etl-extract-transform-dev", retry_attempts = 3, maximum_event_age_seconds = 3600 }
    manifest_created = { id = "etl-load", arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:etl-load-dev" }
  }
  dlq_alarm = { description = "EventBridge could not deliver an event to etl-dev." }
}

run "manual_rule_s3_rule_schedule_and_dead_letters" {
  command = apply

  assert {
    condition     = output.rules["manual"].name == "etl-dev-manual-trigger" && jsondecode(output.rules["manual"].event_pattern) == { source = ["etl"], "detail-type" = ["manual-trigger"], detail = { environment = ["dev"] } }
    error_message = "The manual rule <name>-manual-trigger matches Source=<source>, DetailType=manual-trigger and this environment's Detail only."
  }

  assert {
    condition     = startswith(output.rules["manual"].description, "${var.manual_trigger.description}: ${var.manual_trigger.command}") && strcontains(output.rules["manual"].description, "FailedEntryCount 1")
    error_message = "The manual rule's description gives the working command and says the bare form is refused: ${output.rules["manual"].description}"
  }

  assert {
    condition     = jsondecode(output.rules["manifest_created"].event_pattern) == { source = ["aws.s3"], "detail-type" = ["Object Created"], detail = { bucket = { name = ["etl-dev-data"] }, object = { key = [{ wildcard = "etl-data/*/manifest.json" }] } } }
    error_message = "object_created matches S3 Object Created in the bucket, keys by wildcard."
  }

  assert {
    condition     = output.targets["manifest_created"].retry_policy[0].maximum_retry_attempts == 185 && output.targets["manifest_created"].retry_policy[0].maximum_event_age_in_seconds == 86400 && output.targets["manual"].retry_policy[0].maximum_retry_attempts == 3 && output.targets["manual"].retry_policy[0].maximum_event_age_in_seconds == 3600
    error_message = "Retries default to all EventBridge allows; a target may bound them."
  }

  assert {
    condition     = alltrue([for target in output.targets : target.dead_letter_config[0].arn == output.dlq.arn && target.role_arn == null]) && output.dlq.name == "etl-dev-events-dlq" && output.dlq.alarm_name == "etl-dev-events-dlq-not-empty"
    error_message = "Every target dead-letters to <name>-events-dlq; Lambda targets take no role."
  }

  assert {
    condition     = output.rules["manual"].state == "ENABLED" && output.rules["manifest_created"].state == "ENABLED"
    error_message = "Rules are enabled unless asked otherwise."
  }

  assert {
    condition     = output.schedule.name == "etl-extract-dev" && output.role == null && length(aws_iam_role.this) == 0
    error_message = "The schedule is <schedule.name>-<env>; without state-machine targets there is no role."
  }
}

run "state_machine_target_takes_the_role" {
  command = apply

  variables {
    name           = "salesforce-extract"
    schedule       = null
    manual_trigger = null
    rules = {
      schedule = {
        name                = "salesforce-extract-dev-schedule"
        description         = "Starts salesforce-extract-dev at 03:00 UTC."
        schedule_expression = "cron(0 3 * * ? *)"
        enabled             = false
      }
    }
    targets = {
      schedule = { id = "salesforce-extract", arn = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:salesforce-extract-dev", role = true, input_path = "$.detail" }
    }
    dlq_alarm = { description = "EventBridge could not start salesforce-extract-dev.", name = "salesforce-extract-dev-events-undelivered" }
  }

  assert {
    condition     = aws_iam_role.this[0].name == "salesforce-extract-dev-events" && aws_iam_role.this[0].path == "/pipelines/" && aws_iam_role.this[0].permissions_boundary == var.settings.permissions_boundary_arn && output.role.arn == aws_iam_role.this[0].arn
    error_message = "The role is <name>-events under the workload boundary (bootstrap contract)."
  }

  assert {
    condition     = data.aws_iam_policy_document.start[0].statement[0].actions == toset(["states:StartExecution"]) && data.aws_iam_policy_document.start[0].statement[0].resources == toset([var.targets.schedule.arn])
    error_message = "EventBridge may start the state-machine targets and do nothing else."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.assume[0].statement[0].principals).identifiers == toset(["events.amazonaws.com"])
    error_message = "Only EventBridge assumes the role."
  }

  assert {
    condition     = output.targets["schedule"].role_arn == output.role.arn && output.targets["schedule"].input_path == "$.detail"
    error_message = "The state machine is started with the role, its input the event's detail."
  }

  assert {
    condition     = output.rules["schedule"].state == "DISABLED" && output.rules["schedule"].schedule_expression == "cron(0 3 * * ? *)" && !contains(keys(output.rules), "manual")
    error_message = "A disabled schedule rule stays deployed; no manual rule unless asked for."
  }

  assert {
    condition     = output.schedule == null && output.dlq.alarm_name == "salesforce-extract-dev-events-undelivered"
    error_message = "No schedule unless asked for; the alarm takes the given name."
  }
}

run "refuses_a_bad_name_and_targets" {
  command = plan

  variables {
    name = "ETL dev"
    targets = {
      manual = { id = "etl-extract-transform", arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:etl-extract-transform-dev", retry_attempts = 186 }
    }
  }

  # retry_attempts out of range, and no target for the manifest_created rule.
  expect_failures = [var.name, var.targets]
}

run "refuses_a_rule_with_a_pattern_and_a_schedule" {
  command = plan

  variables {
    rules = {
      manifest_created = {
        name                = "etl-dev-manifest-created"
        description         = "Both a pattern and a schedule."
        event_pattern       = "{\"source\":[\"aws.s3\"]}"
        schedule_expression = "rate(1 day)"
      }
    }
  }

  expect_failures = [var.rules]
}

run "refuses_a_description_over_512_characters" {
  command = plan

  variables {
    manual_trigger = {
      source      = "etl"
      description = join("", [for i in range(520) : "x"])
      command     = "aws events put-events"
    }
  }

  expect_failures = [aws_cloudwatch_event_rule.this["manual"]]
}
