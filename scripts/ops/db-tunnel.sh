#!/usr/bin/env bash
# Opens a local port to one of an environment's private databases: an SSM Session Manager
# port forward through the environment's bastion (modules/network, bastion_enabled).
#
#   scripts/ops/db-tunnel.sh dev batch-scheduler          (make db-tunnel ENV=dev DB=batch-scheduler)
#   scripts/ops/db-tunnel.sh prd etl-source 15433         (make db-tunnel ENV=prd DB=etl-source LOCAL_PORT=15433)
#
# It finds the running bastion by its tags, the database endpoint by its identifier
# (<database>-<env>), prints the psql command that reads the password from the database's
# RDS-managed secret, and runs `aws ssm start-session` until Ctrl-C. Needs AWS CLI v2, the
# Session Manager plugin, and the operator policy of the environment (bootstrap output
# operator_policy_arns[<env>].databases). Exit status: 2 for wrong arguments or a missing tool (nothing
# sent), 1 when the bastion or the database is not there or the session fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/ops/aws-cli.sh
source "$here/aws-cli.sh"

PLUGIN_INSTALL_URL="https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html"

# Database name → how to describe it: RDS instances and Aurora clusters answer different calls.
declare -A KIND=(
  [batch-scheduler]=instance
  [etl-source]=instance
  [etl-analytics]=cluster
  [csv-processor]=cluster
)
DATABASES="batch-scheduler, etl-source, etl-analytics, csv-processor"

usage() {
  echo "usage: $0 <dev|prd> <database> [local-port]" >&2
  echo "  database: ${DATABASES}; local-port: 1024-65535 (default 15432)" >&2
  exit 2
}

env_name="${1:-}"
database="${2:-}"
local_port="${3:-15432}"
case "$env_name" in
  dev | prd) ;;
  *) usage ;;
esac
if [[ -z "$database" ]]; then usage; fi
if [[ -z "${KIND[$database]:-}" ]]; then
  echo "unknown database '${database}': one of ${DATABASES}" >&2
  exit 2
fi
if ! [[ "$local_port" =~ ^[0-9]{4,5}$ ]] || ((local_port < 1024 || local_port > 65535)); then
  echo "local port must be a number from 1024 to 65535, got '${local_port}'" >&2
  exit 2
fi

require_aws_cli_v2 || exit 2
if ! command -v session-manager-plugin >/dev/null 2>&1; then
  echo "The Session Manager plugin for the AWS CLI is required for port forwarding, but 'session-manager-plugin' is not on PATH." >&2
  echo "  Install it: ${PLUGIN_INSTALL_URL}" >&2
  exit 2
fi

identifier="${database}-${env_name}"

# The network module names it <name>-<env>-bastion and the environment's default_tags add Environment.
bastion="$(aws ec2 describe-instances \
  --filters "Name=tag:Environment,Values=${env_name}" "Name=tag:Name,Values=*-${env_name}-bastion" \
  "Name=instance-state-name,Values=running" \
  --query 'Reservations[].Instances[].InstanceId' --output text)" || exit 1
read -r bastion _ <<<"$bastion" || true
if [[ -z "$bastion" || "$bastion" == None ]]; then
  echo "No running bastion in ${env_name}: its network module has bastion_enabled = false (the default)." >&2
  echo "  Turn it on: bastion_enabled = true in infrastructure/terraform/environments/${env_name}/terraform.tfvars, then plan and apply;" >&2
  echo "  or reach Aurora without it through the RDS Data API (docs/operations.md, \"Reaching the databases\")." >&2
  exit 1
fi

if [[ "${KIND[$database]}" == instance ]]; then
  endpoint="$(aws rds describe-db-instances --db-instance-identifier "$identifier" \
    --query 'DBInstances[0].[Endpoint.Address,Endpoint.Port,DBName,MasterUserSecret.SecretArn]' \
    --output text 2>/dev/null)" || endpoint=""
else
  endpoint="$(aws rds describe-db-clusters --db-cluster-identifier "$identifier" \
    --query 'DBClusters[0].[Endpoint,Port,DatabaseName,MasterUserSecret.SecretArn]' \
    --output text 2>/dev/null)" || endpoint=""
fi
read -r host port dbname secret_arn <<<"$endpoint" || true
if [[ -z "${host:-}" || "$host" == None || -z "${port:-}" ]]; then
  echo "No database ${identifier} in ${env_name} (or no permission to describe it): nothing to forward to." >&2
  echo "  A pipeline that uses an existing server (existing_*_database) has no RDS ${KIND[$database]} of that name; connect to that server directly." >&2
  exit 1
fi

if [[ -z "${dbname:-}" || "$dbname" == None ]]; then dbname=postgres; fi
secret_ref="${secret_arn:-<secret>}"
cat >&2 <<EOF
Forwarding localhost:${local_port} -> ${host}:${port} through the bastion ${bastion} (Ctrl-C to close).
In another terminal (the password is the database's RDS-managed master secret):
  secret="\$(aws secretsmanager get-secret-value --secret-id '${secret_ref}' --query SecretString --output text)"
  PGPASSWORD="\$(jq -r .password <<<"\$secret")" psql "host=localhost port=${local_port} dbname=${dbname} user=\$(jq -r .username <<<"\$secret") sslmode=require"
EOF

exec aws ssm start-session --target "$bastion" \
  --document-name AWS-StartPortForwardingSessionToRemoteHost \
  --parameters "host=${host},portNumber=${port},localPortNumber=${local_port}"
