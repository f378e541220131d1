output "bucket" {
  description = "Name of the bucket (what SDK calls, environment variables and EventBridge patterns take)."
  value       = aws_s3_bucket.this.bucket
}

output "id" {
  description = "ID of the bucket (its name; what other aws_s3_bucket_* resources take as bucket)."
  value       = aws_s3_bucket.this.id
}

output "arn" {
  description = "ARN of the bucket; objects are \"<arn>/<key>\" in IAM policies."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the bucket (<name>.s3.<region>.amazonaws.com), e.g. for a CloudFront origin."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

output "force_destroy" {
  description = "Whether terraform destroy empties the bucket first (pipelines set it to !deletion_protection)."
  value       = aws_s3_bucket.this.force_destroy
}
