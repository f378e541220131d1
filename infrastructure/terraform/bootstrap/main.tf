# One-time bootstrap of an AWS account (run by an administrator with local state,
# see docs/deploy.md): the Terraform state bucket, the GitHub OIDC provider, and per
# environment a read-only plan role and an apply role that GitHub Actions assume.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = var.project
      Environment = "shared"
      ManagedBy   = "terraform"
      Pipeline    = "bootstrap"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id   = data.aws_caller_identity.current.account_id
  partition    = data.aws_partition.current.partition
  state_bucket = coalesce(var.state_bucket_name, "${var.project}-tfstate-${local.account_id}-${var.region}")
  oidc_host    = "token.actions.githubusercontent.com"
  oidc_arn     = var.existing_oidc_provider_arn != null ? var.existing_oidc_provider_arn : aws_iam_openid_connect_provider.github[0].arn
  environments = toset(var.environments)

  # The contract with the modules (README.md, "Workload roles"): every role a module
  # creates lives under this path and carries the boundary of its environment,
  # arn:<partition>:iam::<account>:policy/pipelines-workload-boundary-<env>.
  workload_path            = "/pipelines/"
  workload_boundary_prefix = "pipelines-workload-boundary-"
  # Operators' policies (operators.tf): outside the workload path, so no apply role reaches them.
  operator_policy_prefix = "pipelines-operator-"

  # Every instance-profile write: the apply role may make them on its bastion's profile
  # (deploy_iam.tf), and on no other (guardrails.tf).
  instance_profile_writes = [
    "iam:AddRoleToInstanceProfile",
    "iam:CreateInstanceProfile",
    "iam:DeleteInstanceProfile",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:TagInstanceProfile",
    "iam:UntagInstanceProfile",
  ]

  arn = {
    ec2     = "arn:${local.partition}:ec2:${var.region}:${local.account_id}"
    logs    = "arn:${local.partition}:logs:${var.region}:${local.account_id}"
    lambda  = "arn:${local.partition}:lambda:${var.region}:${local.account_id}"
    sqs     = "arn:${local.partition}:sqs:${var.region}:${local.account_id}"
    sns     = "arn:${local.partition}:sns:${var.region}:${local.account_id}"
    cw      = "arn:${local.partition}:cloudwatch:${var.region}:${local.account_id}"
    kms     = "arn:${local.partition}:kms:${var.region}:${local.account_id}"
    states  = "arn:${local.partition}:states:${var.region}:${local.account_id}"
    sched   = "arn:${local.partition}:scheduler:${var.region}:${local.account_id}"
    events  = "arn:${local.partition}:events:${var.region}:${local.account_id}"
    secrets = "arn:${local.partition}:secretsmanager:${var.region}:${local.account_id}"
    rds     = "arn:${local.partition}:rds:${var.region}:${local.account_id}"
    ssm     = "arn:${local.partition}:ssm:${var.region}:${local.account_id}"
    ddb     = "arn:${local.partition}:dynamodb:${var.region}:${local.account_id}"
    # API Gateway's ARNs carry no account: arn:<partition>:apigateway:<region>::/restapis/<id>/...
    apigw = "arn:${local.partition}:apigateway:${var.region}:"
    iam   = "arn:${local.partition}:iam::${local.account_id}"
  }
}

# ---------------------------------------------------------------------------
# State bucket: versioned, encrypted, private, TLS-only. Locking is S3-native
# (use_lockfile = true writes <key>.tflock next to the state).
# ---------------------------------------------------------------------------

resource "aws_s3_bucket" "state" {
  bucket = local.state_bucket

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "expire-old-state-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 90
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

data "aws_iam_policy_document" "state_bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]
    resources = [
      aws_s3_bucket.state.arn,
      "${aws_s3_bucket.state.arn}/*",
    ]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = data.aws_iam_policy_document.state_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.state]
}

# ---------------------------------------------------------------------------
# GitHub OIDC provider and roles
# ---------------------------------------------------------------------------

resource "aws_iam_openid_connect_provider" "github" {
  count = var.existing_oidc_provider_arn == null ? 1 : 0

  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
}

# Trust: only the workflow job bound to the matching GitHub environment.
data "aws_iam_policy_document" "trust" {
  for_each = { for pair in setproduct(var.environments, ["plan", "apply"]) : "${pair[0]}-${pair[1]}" => { env = pair[0], kind = pair[1] } }

  statement {
    sid     = "GitHubActions"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = ["repo:${var.github_repository}:environment:${each.value.kind == "plan" ? "${each.value.env}-plan" : each.value.env}"]
    }
  }
}

resource "aws_iam_role" "plan" {
  for_each = local.environments

  name                 = "terraform-plan-${each.key}"
  description          = "GitHub Actions: terraform plan of ${each.key} (read-only)."
  assume_role_policy   = data.aws_iam_policy_document.trust["${each.key}-plan"].json
  max_session_duration = 3600
}

resource "aws_iam_role" "apply" {
  for_each = local.environments

  name                 = "terraform-apply-${each.key}"
  description          = "GitHub Actions: terraform apply of ${each.key}."
  assume_role_policy   = data.aws_iam_policy_document.trust["${each.key}-apply"].json
  max_session_duration = 3600
}

# Refresh reads every resource type Terraform manages: AWS's read-only policy.
resource "aws_iam_role_policy_attachment" "plan_read_only" {
  for_each = local.environments

  role       = aws_iam_role.plan[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_role_policy_attachment" "apply_read_only" {
  for_each = local.environments

  role       = aws_iam_role.apply[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
}

# State: both roles list the bucket and read their environment's state; plan writes only
# the lock file, apply the state too. A document per role rather than one with a
# conditional, so tests/policy.test.ts can render them.
data "aws_iam_policy_document" "read_state" {
  for_each = local.environments

  statement {
    sid       = "ListStateBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
  }

  statement {
    sid       = "ReadState"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.state.arn}/${var.project}/${each.key}/*"]
  }
}

data "aws_iam_policy_document" "plan_state" {
  for_each = local.environments

  source_policy_documents = [data.aws_iam_policy_document.read_state[each.key].json]

  statement {
    sid       = "WriteLockFile"
    effect    = "Allow"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.state.arn}/${var.project}/${each.key}/terraform.tfstate.tflock"]
  }
}

data "aws_iam_policy_document" "apply_state" {
  for_each = local.environments

  source_policy_documents = [data.aws_iam_policy_document.read_state[each.key].json]

  statement {
    sid       = "WriteState"
    effect    = "Allow"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.state.arn}/${var.project}/${each.key}/*"]
  }
}

# The inline policies of each role, by name (a role's inline policies share 10,240
# characters). ReadOnlyAccess reads data too (s3:GetObject, DynamoDB item reads, log
# events...): neither role needs any of it to plan or apply, hence no_data_reads on both.
locals {
  plan_role_policies = {
    terraform-state         = data.aws_iam_policy_document.plan_state
    terraform-no-data-reads = data.aws_iam_policy_document.no_data_reads
  }
  apply_role_policies = {
    terraform-state         = data.aws_iam_policy_document.apply_state
    terraform-no-data-reads = data.aws_iam_policy_document.no_data_reads
    terraform-guardrails    = data.aws_iam_policy_document.apply_guardrails
  }
}

# Keyed "<policy name>-<env>".
resource "aws_iam_role_policy" "plan" {
  for_each = { for pair in setproduct(keys(local.plan_role_policies), var.environments) : join("-", pair) => { name = pair[0], env = pair[1] } }

  name   = each.value.name
  role   = aws_iam_role.plan[each.value.env].id
  policy = local.plan_role_policies[each.value.name][each.value.env].json
}

resource "aws_iam_role_policy" "apply" {
  for_each = { for pair in setproduct(keys(local.apply_role_policies), var.environments) : join("-", pair) => { name = pair[0], env = pair[1] } }

  name   = each.value.name
  role   = aws_iam_role.apply[each.value.env].id
  policy = local.apply_role_policies[each.value.name][each.value.env].json
}
