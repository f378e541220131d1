# The salesforce-extract module offline (mock provider): names, the secret and the watermark
# table, SALESFORCE_OBJECTS as the function parses it, the rendered state machine, the
# manual rule of one environment, least-privilege policies, optional VPC, the no-records
# alarms and the checks on the inputs. Run: terraform init && terraform test (this folder).

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

variables {
  environment = "dev"
  platform = {
    # salesforce-extract.zip here is the lambda-function fixture: the build's zip is not needed.
    dist_dir                 = "tests/fixtures"
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/pipelines-workload-boundary-dev"
  }
}

# On the file's inputs: names, secret, table, the manual rule, the policies, no VPC.
run "defaults" {
  command = apply

  assert {
    condition     = module.function.function_name == "salesforce-extract-dev" && module.workflow.name == "salesforce-extract-dev" && output.triggers.schedule_name == "salesforce-extract-dev"
    error_message = "Function, state machine and schedule are salesforce-extract-<env>."
  }

  assert {
    condition     = aws_secretsmanager_secret.salesforce.name == "salesforce-extract-dev/jwt" && aws_secretsmanager_secret.salesforce.kms_key_id == module.key.arn
    error_message = "The secret is salesforce-extract-<env>/jwt, encrypted with the pipeline key."
  }

  assert {
    condition     = aws_secretsmanager_secret.salesforce.recovery_window_in_days == 0
    error_message = "An unprotected environment deletes its secret at once, so a re-apply can recreate the name."
  }

  assert {
    condition = (
      module.watermarks.table.name == "salesforce-extract-watermarks-dev" &&
      module.watermarks.table.hash_key == "object" &&
      one(module.watermarks.table.attribute).type == "S" &&
      module.watermarks.table.billing_mode == "PAY_PER_REQUEST" &&
      module.watermarks.table.point_in_time_recovery[0].enabled &&
      module.watermarks.table.server_side_encryption[0].kms_key_arn == module.key.arn
    )
    error_message = "Watermarks: salesforce-extract-watermarks-<env>, hash key object (S), on demand, PITR, pipeline key."
  }

  assert {
    condition     = local.function_defaults.vpc_config == null
    error_message = "Without subnets the function runs outside any VPC."
  }

  assert {
    condition = jsondecode(module.triggers.rules["manual"].event_pattern) == {
      source        = ["salesforce-extract"]
      "detail-type" = ["manual-trigger"]
      detail        = { environment = ["dev"] }
    }
    error_message = "The manual rule matches Source=salesforce-extract, DetailType=manual-trigger and this environment only."
  }

  assert {
    condition     = module.triggers.targets["manual"].input_path == "$.detail" && module.triggers.targets["manual"].arn == module.workflow.arn && module.triggers.targets["manual"].role_arn == module.triggers.role.arn
    error_message = "A manual trigger starts the state machine with the event's Detail as input."
  }

  assert {
    condition     = strcontains(module.triggers.rules["manual"].description, local.manual_trigger_command) && length(module.triggers.rules["manual"].description) <= 512
    error_message = "The rule's description gives the working command and fits EventBridge's 512 characters."
  }

  assert {
    condition = alltrue([
      for st in data.aws_iam_policy_document.function.statement :
      alltrue([for r in st.resources : endswith(r, "/raw/*") || endswith(r, "/raw/_incomplete/*")])
      if anytrue([for a in st.actions : startswith(a, "s3:") && a != "s3:ListBucket"])
    ])
    error_message = "The function reaches objects under raw/ only."
  }

  assert {
    condition = flatten([
      for st in data.aws_iam_policy_document.function.statement : st.resources if contains(st.actions, "s3:DeleteObject")
    ]) == ["${module.bucket.arn}/raw/_incomplete/*"]
    error_message = "Only the carried rows under raw/_incomplete/ may be deleted."
  }

  assert {
    condition = alltrue([
      for st in data.aws_iam_policy_document.function.statement :
      length(st.condition) == 1 && alltrue([for c in st.condition : c.variable == "s3:prefix" && tolist(c.values) == tolist(["raw/*"])])
      if contains(st.actions, "s3:ListBucket")
    ])
    error_message = "Listing is limited to the raw/ prefix."
  }

  assert {
    condition = (
      flatten([for st in data.aws_iam_policy_document.function.statement : st.resources if contains(st.actions, "secretsmanager:GetSecretValue")]) == [aws_secretsmanager_secret.salesforce.arn] &&
      flatten([for st in data.aws_iam_policy_document.function.statement : st.resources if anytrue([for a in st.actions : startswith(a, "dynamodb:")])]) == [module.watermarks.table.arn]
    )
    error_message = "The function reads the one secret and writes the one table."
  }

  assert {
    condition     = alltrue(flatten([for st in data.aws_iam_policy_document.function.statement : [for a in st.actions : !endswith(a, "*")]]))
    error_message = "Every action is named."
  }
}

# Configured: objects as the function parses them, the state machine's settings, the VPC.
run "configured" {
  command = plan

  variables {
    objects = [
      { name = "Account" },
      { name = "Opportunity", fields = ["Id", "Name", "Owner.Name"], where = "IsClosed = false", mode = "bulk", include_deleted = true, alarm_when_empty = true },
      { name = "Invoice__c", incremental = false, mode = "rest" },
    ]
    settings = { max_concurrency = 3, poll_seconds = 20, max_polls = 90 }
    platform = merge(var.platform, { network = { private_subnet_ids = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"], lambda_security_group_id = "sg-0aaaaaaaaaaaaaaaa" } })
  }

  assert {
    condition = jsondecode(local.objects_json) == [
      { name = "Account", fields = "*", mode = "auto", incremental = true, includeDeleted = false },
      { name = "Opportunity", fields = ["Id", "Name", "Owner.Name"], mode = "bulk", incremental = true, includeDeleted = true, where = "IsClosed = false" },
      { name = "Invoice__c", fields = "*", mode = "rest", incremental = false, includeDeleted = false },
    ]
    error_message = "SALESFORCE_OBJECTS: fields \"*\" or a list, camelCase includeDeleted, where only when set, no alarm_when_empty."
  }

  assert {
    condition     = keys(module.alarms.names) == ["Opportunity-no-records"]
    error_message = "Only objects with alarm_when_empty get a no-records alarm."
  }

  assert {
    condition     = length(output.monitoring.extra_widgets[0].properties.metrics) == 3 && output.monitoring.extra_widgets[0].properties.metrics[1][7] == "Opportunity"
    error_message = "The records widget shows one line per configured object."
  }

  assert {
    condition     = !strcontains(local.definition, "$${")
    error_message = "Every placeholder of the ASL file is filled."
  }

  assert {
    condition = jsondecode(local.definition).States.Settings.Parameters.settings == {
      "maxConcurrency.$" = "States.StringToJson('3')"
      "pollSeconds.$"    = "States.StringToJson('20')"
      "maxPolls.$"       = "States.StringToJson('90')"
    }
    error_message = "MaxConcurrency and the Bulk poll settings come from the variables."
  }

  assert {
    condition     = jsondecode(local.definition).States.Preflight.Parameters.FunctionName == module.function.function_arn
    error_message = "The tasks invoke salesforce-extract-<env>."
  }

  assert {
    condition     = local.function_defaults.vpc_config.subnet_ids == tolist(["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]) && local.function_defaults.vpc_config.security_group_ids == ["sg-0aaaaaaaaaaaaaaaa"]
    error_message = "With subnets the function runs in them with the Lambda security group."
  }
}

run "no_records_alarm_watches_the_object_over_alarm_hours" {
  command = plan

  variables {
    objects  = [{ name = "Account", alarm_when_empty = true }]
    settings = { alarm_hours = 6 }
  }

  assert {
    condition     = module.alarms.names == { "Account-no-records" = "salesforce-extract-dev-Account-no-records" }
    error_message = "The alarm is salesforce-extract-<env>-<object>-no-records."
  }
}

run "an_unknown_mode_and_out_of_range_settings_are_refused" {
  command = plan

  variables {
    objects  = [{ name = "Account", mode = "soap" }]
    settings = { max_concurrency = 21 }
  }

  expect_failures = [var.objects, var.settings]
}

run "a_bad_field_name_and_an_early_expiry_are_refused" {
  command = plan

  variables {
    objects  = [{ name = "Account", fields = ["Id", "Name;DROP"] }]
    settings = { glacier_after_days = 90, expire_after_days = 30 }
  }

  # settings: expiry must follow the Glacier transition.
  expect_failures = [var.objects, var.settings]
}

run "an_empty_where_is_refused" {
  command = plan

  variables {
    objects = [{ name = "Account", where = " " }]
  }

  expect_failures = [var.objects]
}
