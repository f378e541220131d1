# Naming, rotation and input validation of the pipeline key (mocked provider).

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

variables {
  settings    = { environment = "dev", pipeline = "batch-scheduler", tags = { Pipeline = "batch-scheduler" } }
  description = "Encrypts the batch-scheduler-dev archive, secrets, database, queues and logs."
}

run "alias_and_rotation" {
  command = plan

  assert {
    condition     = aws_kms_alias.this.name == "alias/batch-scheduler-dev" && aws_kms_key.this.tags["Pipeline"] == "batch-scheduler"
    error_message = "The alias is alias/<pipeline>-<environment>; the key carries the pipeline's tags."
  }

  assert {
    condition     = aws_kms_key.this.enable_key_rotation == true && aws_kms_key.this.deletion_window_in_days == 30
    error_message = "The key rotates yearly and waits 30 days before deletion."
  }
}

run "refuses_a_short_deletion_window_and_an_upper_case_name" {
  command = plan

  variables {
    settings                = { environment = "dev", pipeline = "Batch-Scheduler" }
    deletion_window_in_days = 3
  }

  expect_failures = [var.settings, var.deletion_window_in_days]
}
