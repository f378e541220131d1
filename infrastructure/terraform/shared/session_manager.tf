# The actions of Session Manager's message channels, which the SSM agent of an instance
# opens and which support no resource-level permissions: the bastion's role grants
# exactly these (modules/network) and the workload boundary allows them
# (bootstrap/boundary.tf), from this one list.
locals {
  session_manager_channel_actions = [
    "ec2messages:AcknowledgeMessage",
    "ec2messages:DeleteMessage",
    "ec2messages:FailMessage",
    "ec2messages:GetEndpoint",
    "ec2messages:GetMessages",
    "ec2messages:SendReply",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
  ]
}
