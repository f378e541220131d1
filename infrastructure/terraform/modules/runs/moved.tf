# The feeds, their targets and dead-letter queue, and the report schedule moved into
# modules/triggers: moved in state, not replaced.

moved {
  from = aws_cloudwatch_event_rule.feeds
  to   = module.triggers.aws_cloudwatch_event_rule.this
}

moved {
  from = aws_cloudwatch_event_target.feeds
  to   = module.triggers.aws_cloudwatch_event_target.this
}

moved {
  from = module.feeds_dlq
  to   = module.triggers.module.dlq
}

moved {
  from = module.report_schedule
  to   = module.triggers.module.schedule[0]
}

# The table moved into the dynamodb-table building block: moved in state, not replaced.
moved {
  from = aws_dynamodb_table.runs
  to   = module.ledger.aws_dynamodb_table.this
}
