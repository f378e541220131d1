# The schedule, the manual rule, its target, dead-letter queue and the role it starts the
# state machine with (formerly the state-machine module's events role) moved into
# modules/triggers: moved in state, not replaced.

moved {
  from = module.schedule
  to   = module.triggers.module.schedule[0]
}

moved {
  from = aws_cloudwatch_event_rule.manual
  to   = module.triggers.aws_cloudwatch_event_rule.this["manual"]
}

moved {
  from = aws_cloudwatch_event_target.manual
  to   = module.triggers.aws_cloudwatch_event_target.this["manual"]
}

moved {
  from = module.events_dlq
  to   = module.triggers.module.dlq
}

moved {
  from = module.workflow.aws_iam_role.events[0]
  to   = module.triggers.aws_iam_role.this[0]
}

moved {
  from = module.workflow.aws_iam_role_policy.events[0]
  to   = module.triggers.aws_iam_role_policy.this[0]
}

# The table moved into the dynamodb-table building block: moved in state, not replaced.
moved {
  from = aws_dynamodb_table.watermarks
  to   = module.watermarks.aws_dynamodb_table.this
}
