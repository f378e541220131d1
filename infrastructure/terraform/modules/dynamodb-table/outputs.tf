output "table" {
  description = "The table: name, arn, stream_arn (null without a stream), and its keys, indexes and settings as created."
  value       = aws_dynamodb_table.this
}
