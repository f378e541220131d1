# Write permissions of the apply role of one environment, in five managed policies
# (one inline policy could not hold them: a role's inline policies share 10,240
# characters), one per document in deploy_<kind>.tf (iam, compute, data, network,
# databases). Every action is named; every resource is limited to this account and
# region and to this environment, by name (<pipeline-or-function>-<env>) where the
# service names resources, and by the Environment tag (set by the environments'
# default_tags) for KMS, EC2 and RDS, whose identifiers are generated. Reads
# (Describe/Get/List) come from ReadOnlyAccess, attached in main.tf; guardrails.tf
# holds the explicit denies. tests/policy.test.ts derives the actions every module
# resource type needs and evaluates these documents against them.

# -----------------------------------------------------------------------------
# The managed policies and their attachments to the apply role: one per document
# and environment, named terraform-deploy-<kind>-<env>.
# -----------------------------------------------------------------------------

locals {
  deploy_policies = {
    iam       = { document = data.aws_iam_policy_document.deploy_iam, about = "workload roles under ${local.workload_path} with their boundary" }
    compute   = { document = data.aws_iam_policy_document.deploy_compute, about = "functions, logs, REST APIs, orchestration, queues, topics, alarms" }
    data      = { document = data.aws_iam_policy_document.deploy_data, about = "buckets, tables, secrets, KMS keys" }
    network   = { document = data.aws_iam_policy_document.deploy_network, about = "VPC resources tagged Environment = <env>" }
    databases = { document = data.aws_iam_policy_document.deploy_databases, about = "RDS resources tagged Environment = <env>" }
  }

  # "<kind>-<env>" => { kind, env }
  deploy_policy_keys = {
    for pair in setproduct(keys(local.deploy_policies), var.environments) : join("-", pair) => { kind = pair[0], env = pair[1] }
  }
}

resource "aws_iam_policy" "deploy" {
  for_each = local.deploy_policy_keys

  name        = "terraform-deploy-${each.key}"
  description = "terraform apply of ${each.value.env}: ${replace(local.deploy_policies[each.value.kind].about, "<env>", each.value.env)}."
  policy      = local.deploy_policies[each.value.kind].document[each.value.env].json
}

resource "aws_iam_role_policy_attachment" "apply_deploy" {
  for_each = local.deploy_policy_keys

  role       = aws_iam_role.apply[each.value.env].name
  policy_arn = aws_iam_policy.deploy[each.key].arn
}

# -----------------------------------------------------------------------------
# The environment's other managed policies, which no bootstrap role holds: the
# workload boundary (boundary.tf) that the modules' roles carry, and the operators'
# two (operators.tf) that the administrator attaches. Named <prefix><env>, keyed
# "<kind>-<env>".
# -----------------------------------------------------------------------------

locals {
  environment_policies = {
    workload-boundary = {
      prefix   = local.workload_boundary_prefix
      document = data.aws_iam_policy_document.workload_boundary
      about    = "Permissions boundary of every <env> workload role (path ${local.workload_path}): caps them to <env>'s resources, never IAM."
    }
    operator-databases = {
      prefix   = "${local.operator_policy_prefix}databases-"
      document = data.aws_iam_policy_document.operator_databases
      about    = "Operators of <env>: SQL on its private databases (SSM port forwarding through its bastion, master secrets, RDS Data API)."
    }
    operator-runs = {
      prefix   = "${local.operator_policy_prefix}runs-"
      document = data.aws_iam_policy_document.operator_runs
      about    = "Operators of <env>: the runs API (list, show and trigger runs) of its stage <env>, and the daily report pages."
    }
  }
}

resource "aws_iam_policy" "environment" {
  for_each = {
    for pair in setproduct(keys(local.environment_policies), var.environments) : join("-", pair) => { kind = pair[0], env = pair[1] }
  }

  name        = "${local.environment_policies[each.value.kind].prefix}${each.value.env}"
  description = replace(local.environment_policies[each.value.kind].about, "<env>", each.value.env)
  policy      = local.environment_policies[each.value.kind].document[each.value.env].json
}
