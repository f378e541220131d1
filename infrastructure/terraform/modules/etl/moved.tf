# The schedule, the rules, their targets and dead-letter queue moved into modules/triggers:
# moved in state, not replaced.

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
  from = aws_cloudwatch_event_rule.manifest_created
  to   = module.triggers.aws_cloudwatch_event_rule.this["manifest_created"]
}

moved {
  from = aws_cloudwatch_event_target.manifest_created
  to   = module.triggers.aws_cloudwatch_event_target.this["manifest_created"]
}

moved {
  from = module.events_dlq
  to   = module.triggers.module.dlq
}
