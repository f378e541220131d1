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
