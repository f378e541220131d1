# The deploy policies and their attachments were one resource per kind before they were
# keyed "<kind>-<env>" (deploy.tf): these keep the bootstrap's state in place. Once every
# account's bootstrap has been applied with them, they may go.

moved {
  from = aws_iam_policy.deploy_iam["dev"]
  to   = aws_iam_policy.deploy["iam-dev"]
}

moved {
  from = aws_iam_role_policy_attachment.apply_deploy_iam["dev"]
  to   = aws_iam_role_policy_attachment.apply_deploy["iam-dev"]
}

moved {
  from = aws_iam_policy.deploy_iam["prd"]
  to   = aws_iam_policy.deploy["iam-prd"]
}

moved {
  from = aws_iam_role_policy_attachment.apply_deploy_iam["prd"]
  to   = aws_iam_role_policy_attachment.apply_deploy["iam-prd"]
}

moved {
  from = aws_iam_policy.deploy_compute["dev"]
  to   = aws_iam_policy.deploy["compute-dev"]
}

moved {
  from = aws_iam_role_policy_attachment.apply_deploy_compute["dev"]
  to   = aws_iam_role_policy_attachment.apply_deploy["compute-dev"]
}

moved {
  from = aws_iam_policy.deploy_compute["prd"]
  to   = aws_iam_policy.deploy["compute-prd"]
}

moved {
  from = aws_iam_role_policy_attachment.apply_deploy_compute["prd"]
  to   = aws_iam_role_policy_attachment.apply_deploy["compute-prd"]
}

moved {
  from = aws_iam_policy.deploy_data["dev"]
  to   = aws_iam_policy.deploy["data-dev"]
}

moved {
  from = aws_iam_role_policy_attachment.apply_deploy_data["dev"]
  to   = aws_iam_role_policy_attachment.apply_deploy["data-dev"]
}

moved {
  from = aws_iam_policy.deploy_data["prd"]
  to   = aws_iam_policy.deploy["data-prd"]
}

moved {
  from = aws_iam_role_policy_attachment.apply_deploy_data["prd"]
  to   = aws_iam_role_policy_attachment.apply_deploy["data-prd"]
}

moved {
  from = aws_iam_policy.deploy_network["dev"]
  to   = aws_iam_policy.deploy["network-dev"]
}

moved {
  from = aws_iam_role_policy_attachment.apply_deploy_network["dev"]
  to   = aws_iam_role_policy_attachment.apply_deploy["network-dev"]
}

moved {
  from = aws_iam_policy.deploy_network["prd"]
  to   = aws_iam_policy.deploy["network-prd"]
}

moved {
  from = aws_iam_role_policy_attachment.apply_deploy_network["prd"]
  to   = aws_iam_role_policy_attachment.apply_deploy["network-prd"]
}

moved {
  from = aws_iam_policy.deploy_databases["dev"]
  to   = aws_iam_policy.deploy["databases-dev"]
}

moved {
  from = aws_iam_role_policy_attachment.apply_deploy_databases["dev"]
  to   = aws_iam_role_policy_attachment.apply_deploy["databases-dev"]
}

moved {
  from = aws_iam_policy.deploy_databases["prd"]
  to   = aws_iam_policy.deploy["databases-prd"]
}

moved {
  from = aws_iam_role_policy_attachment.apply_deploy_databases["prd"]
  to   = aws_iam_role_policy_attachment.apply_deploy["databases-prd"]
}

# The inline policies of the plan and apply roles were one resource per policy before they
# were keyed "<policy name>-<env>" (main.tf).

moved {
  from = aws_iam_role_policy.plan_state["dev"]
  to   = aws_iam_role_policy.plan["terraform-state-dev"]
}

moved {
  from = aws_iam_role_policy.plan_no_data_reads["dev"]
  to   = aws_iam_role_policy.plan["terraform-no-data-reads-dev"]
}

moved {
  from = aws_iam_role_policy.apply_state["dev"]
  to   = aws_iam_role_policy.apply["terraform-state-dev"]
}

moved {
  from = aws_iam_role_policy.apply_no_data_reads["dev"]
  to   = aws_iam_role_policy.apply["terraform-no-data-reads-dev"]
}

moved {
  from = aws_iam_role_policy.apply_guardrails["dev"]
  to   = aws_iam_role_policy.apply["terraform-guardrails-dev"]
}

moved {
  from = aws_iam_role_policy.plan_state["prd"]
  to   = aws_iam_role_policy.plan["terraform-state-prd"]
}

moved {
  from = aws_iam_role_policy.plan_no_data_reads["prd"]
  to   = aws_iam_role_policy.plan["terraform-no-data-reads-prd"]
}

moved {
  from = aws_iam_role_policy.apply_state["prd"]
  to   = aws_iam_role_policy.apply["terraform-state-prd"]
}

moved {
  from = aws_iam_role_policy.apply_no_data_reads["prd"]
  to   = aws_iam_role_policy.apply["terraform-no-data-reads-prd"]
}

moved {
  from = aws_iam_role_policy.apply_guardrails["prd"]
  to   = aws_iam_role_policy.apply["terraform-guardrails-prd"]
}

# The workload boundary and the operators' policies were a resource each before they
# joined aws_iam_policy.environment (deploy.tf), keyed "<kind>-<env>".

moved {
  from = aws_iam_policy.workload_boundary["dev"]
  to   = aws_iam_policy.environment["workload-boundary-dev"]
}

moved {
  from = aws_iam_policy.workload_boundary["prd"]
  to   = aws_iam_policy.environment["workload-boundary-prd"]
}

moved {
  from = aws_iam_policy.operator_databases["dev"]
  to   = aws_iam_policy.environment["operator-databases-dev"]
}

moved {
  from = aws_iam_policy.operator_databases["prd"]
  to   = aws_iam_policy.environment["operator-databases-prd"]
}

moved {
  from = aws_iam_policy.operator_runs["dev"]
  to   = aws_iam_policy.environment["operator-runs-dev"]
}

moved {
  from = aws_iam_policy.operator_runs["prd"]
  to   = aws_iam_policy.environment["operator-runs-prd"]
}
