output "arn" {
  description = "Key ARN: pass it as kms_key_arn to every building block of the pipeline."
  value       = aws_kms_key.this.arn
}

output "key_id" {
  description = "Key id."
  value       = aws_kms_key.this.key_id
}

output "alias_name" {
  description = "Alias, alias/<pipeline>-<environment> (or alias/<alias>)."
  value       = aws_kms_alias.this.name
}
