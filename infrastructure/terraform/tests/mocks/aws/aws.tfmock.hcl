# Values the mocked AWS provider returns in the modules' `terraform test` runs, shared
# by every module test (mock_provider "aws" { source = "../../tests/mocks/aws" }).
# Computed ARNs must look like ARNs: the provider validates the ones other resources take.

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
  }
}

mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/mocked"
  }
}

mock_resource "aws_kms_key" {
  defaults = {
    arn = "arn:aws:kms:ap-northeast-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  }
}

mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:ap-northeast-1:123456789012:mocked-dlq"
  }
}

mock_resource "aws_s3_bucket" {
  defaults = {
    arn = "arn:aws:s3:::mocked-bucket"
  }
}

mock_resource "aws_cloudwatch_event_rule" {
  defaults = {
    arn = "arn:aws:events:ap-northeast-1:123456789012:rule/mocked"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/mocked"
  }
}

mock_resource "aws_sfn_state_machine" {
  defaults = {
    arn = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:mocked"
  }
}

mock_resource "aws_db_instance" {
  defaults = {
    address            = "instance.postgres.example"
    port               = 5432
    master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!db-1", kms_key_id = "k", secret_status = "active" }]
  }
}

mock_resource "aws_rds_cluster" {
  defaults = {
    endpoint           = "cluster.postgres.example"
    reader_endpoint    = "cluster-ro.postgres.example"
    port               = 5432
    master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-1", kms_key_id = "k", secret_status = "active" }]
  }
}

mock_resource "aws_lambda_invocation" {
  defaults = {
    result = "{\"database\":\"shirogane\",\"applied\":[\"001_initial.sql\"],\"current\":\"001_initial.sql\"}"
  }
}
