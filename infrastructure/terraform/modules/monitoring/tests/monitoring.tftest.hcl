# Offline module tests: `terraform test` with a mocked AWS provider
# (run by scripts/terraform/offline-check.sh).

mock_provider "aws" {
  # The shared mocks (caller identity, a valid policy document, the key's ARN); what only
  # this module reads is mocked here.
  source = "../../tests/mocks/aws"

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_region" {
    defaults = {
      id = "ap-northeast-1"
    }
  }

  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:ap-northeast-1:123456789012:platform-alarms-dev"
    }
  }
}

# dev unless a run says otherwise.
variables {
  name        = "platform"
  environment = "dev"
}

run "creates_encrypted_topic_and_dashboard" {
  command = apply

  variables {
    alarm_topic = { emails = ["ops@example.com", "oncall@example.com"] }
    dashboard = {
      lambda_function_names = ["sync-batch-dev", "csv-validator-dev"]
      state_machine_arns    = ["arn:aws:states:ap-northeast-1:123456789012:stateMachine:csv-user-log-processor-dev"]
    }
  }

  assert {
    condition     = aws_sns_topic.alarms.name == "platform-alarms-dev"
    error_message = "topic naming"
  }

  assert {
    condition     = length(module.key) == 1 && aws_sns_topic.alarms.kms_master_key_id == module.key[0].arn
    error_message = "the topic must be encrypted with the module's key"
  }

  assert {
    condition     = module.key[0].alias_name == "alias/platform-dev-monitoring"
    error_message = "the key keeps its alias <name>-<env>-monitoring"
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 2
    error_message = "one subscription per e-mail"
  }

  assert {
    condition     = aws_cloudwatch_dashboard.this.dashboard_name == "platform-dev"
    error_message = "dashboard naming"
  }

  assert {
    # header + 2 widgets per function + 1 per state machine
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets) == 6
    error_message = "dashboard widgets must follow the functions and state machines"
  }

  assert {
    condition     = output.alarm_topic.arn == "arn:aws:sns:ap-northeast-1:123456789012:platform-alarms-dev" && output.alarm_topic.kms_key_arn == module.key[0].arn
    error_message = "alarm_topic output: the topic's ARN and its key"
  }
}

run "existing_key_and_extra_widgets" {
  command = plan

  variables {
    environment = "prd"
    alarm_topic = { kms_key_arn = "arn:aws:kms:ap-northeast-1:123456789012:key/22222222-2222-2222-2222-222222222222" }
    dashboard = {
      extra_widgets = [{ type = "text", x = 0, y = 40, width = 24, height = 1, properties = { markdown = "etl" } }]
    }
  }

  assert {
    condition     = length(module.key) == 0 && aws_sns_topic.alarms.kms_master_key_id == var.alarm_topic.kms_key_arn
    error_message = "a given key must be used and none created"
  }

  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets) == 2
    error_message = "extra widgets must be appended to the header"
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0
    error_message = "no subscriptions by default"
  }
}

run "rejects_bad_email" {
  command = plan

  variables {
    alarm_topic = { emails = ["not-an-address"] }
  }

  expect_failures = [var.alarm_topic]
}
