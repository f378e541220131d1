# The alarm key became the shared pipeline-key module: moved in state, not replaced.

moved {
  from = aws_kms_key.alarms[0]
  to   = module.key[0].aws_kms_key.this
}

moved {
  from = aws_kms_alias.alarms[0]
  to   = module.key[0].aws_kms_alias.this
}
