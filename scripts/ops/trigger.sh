#!/usr/bin/env bash
# Sends one manual-trigger event for a pipeline in one environment and fails loudly
# when EventBridge refuses it.
#
#   scripts/ops/trigger.sh batch-scheduler prd                  (make trigger SOURCE=batch-scheduler ENV=prd)
#   scripts/ops/trigger.sh batch-scheduler dev '{"channelIds":["UC_x5XG1OV2P6uZZ5FSM9Ttw"]}'
#
# The event is Source=<pipeline>, DetailType=manual-trigger, Detail={"environment":"<env>", …}.
# The Detail is required twice over: EventBridge refuses an entry without one
# (MalformedDetail), and each environment's manual-trigger rule matches only its own
# detail.environment, so dev and prd are never started together.
#
# `aws events put-events` exits 0 even when it refused every entry, reporting the refusal
# only in FailedEntryCount; this script reads that count. Exit status: 0 when the entry
# was accepted, 1 when it was refused or the call failed, 2 for wrong arguments or a
# missing tool (nothing sent). Uses the caller's AWS credentials and region (AWS_PROFILE,
# AWS_REGION).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/ops/aws-cli.sh
source "$here/aws-cli.sh"

usage() {
  echo "usage: $0 <pipeline> <dev|prd> [extra-detail-json]" >&2
  echo "  e.g. $0 batch-scheduler prd '{\"channelIds\":[\"UC_x5XG1OV2P6uZZ5FSM9Ttw\"]}'" >&2
  exit 2
}

source_name="${1:-}"
env_name="${2:-}"
extra_detail="${3:-}"
[[ "$source_name" =~ ^[a-z][a-z0-9-]*$ ]] || usage
case "$env_name" in
  dev | prd) ;;
  *) usage ;;
esac

require_tools jq || exit 2
require_aws_cli_v2 || exit 2

if [[ -n "$extra_detail" ]]; then
  if ! jq -e 'type == "object"' >/dev/null 2>&1 <<<"$extra_detail"; then
    echo "$0: the extra detail must be a JSON object, got: ${extra_detail}" >&2
    exit 2
  fi
else
  extra_detail='{}'
fi
# The environment argument wins over any "environment" in the extra detail.
detail="$(jq -c --arg env "$env_name" '. + {environment: $env}' <<<"$extra_detail")"
entries="$(jq -cn --arg source "$source_name" --arg detail "$detail" \
  '[{Source: $source, DetailType: "manual-trigger", Detail: $detail}]')"

echo "Sending manual-trigger to ${source_name} (${env_name}): Detail=${detail}" >&2
response="$(aws events put-events --entries "$entries" --output json)" || {
  echo "$0: aws events put-events failed (see the error above); nothing was sent" >&2
  exit 1
}

failed="$(jq -r '.FailedEntryCount // empty' <<<"$response" 2>/dev/null || true)"
if ! [[ "$failed" =~ ^[0-9]+$ ]]; then
  echo "$0: unexpected answer from aws events put-events (no FailedEntryCount):" >&2
  printf '%s\n' "$response" >&2
  exit 1
fi
if ((failed > 0)); then
  echo "EventBridge refused the event (FailedEntryCount ${failed}); nothing was triggered:" >&2
  jq -r '.Entries[] | select(.ErrorCode) | "  \(.ErrorCode): \(.ErrorMessage // "")"' <<<"$response" >&2
  exit 1
fi
printf '%s\n' "$response"
echo "Accepted: EventId $(jq -r '.Entries[0].EventId // "?"' <<<"$response")" >&2
