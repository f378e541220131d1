# Optional: the role EventBridge rules assume to start this state machine (a rule
# target's role_arn), so a pipeline's rules need no role of their own.

data "aws_iam_policy_document" "events_assume" {
  count = var.events_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

data "aws_iam_policy_document" "events_start" {
  count = var.events_role ? 1 : 0

  statement {
    sid       = "StartExecutions"
    actions   = ["states:StartExecution"]
    resources = [aws_sfn_state_machine.this.arn]
  }
}

resource "aws_iam_role" "events" {
  count = var.events_role ? 1 : 0

  name                 = "${local.state_machine_name}-events"
  path                 = var.iam_role_path
  description          = "Lets EventBridge rules start the ${local.state_machine_name} state machine."
  assume_role_policy   = data.aws_iam_policy_document.events_assume[0].json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy" "events" {
  count = var.events_role ? 1 : 0

  name   = "${local.state_machine_name}-events"
  role   = aws_iam_role.events[0].id
  policy = data.aws_iam_policy_document.events_start[0].json
}
