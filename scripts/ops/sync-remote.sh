#!/usr/bin/env bash
# Runs the deployed sync-batch function once, synchronously, and prints its result.
#
#   scripts/ops/sync-remote.sh prd            (make sync-prd)
#   scripts/ops/sync-remote.sh dev            (make sync-dev)
#   scripts/ops/sync-remote.sh prd UCxxxx,UCyyyy   (only these channels)
#
# Exit status: 0 when the function returned {"status":"success"}; 1 when it raised
# (FunctionError), returned another status, or could not be invoked. Uses the
# caller's AWS credentials and region (AWS_PROFILE / AWS_REGION).
set -euo pipefail

env_name="${1:-}"
channel_ids="${2:-}"
case "$env_name" in
  dev | prd) ;;
  *)
    echo "usage: $0 <dev|prd> [channel-id,channel-id,...]" >&2
    exit 2
    ;;
esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/ops/aws-cli.sh
source "$here/aws-cli.sh"
require_tools jq || exit 2
# --cli-binary-format below exists only in v2; v1 would fail with a bare argument error.
require_aws_cli_v2 || exit 2

function_name="sync-batch-${env_name}"
# "source":"make" tells the function this call is synchronous (RequestResponse): no Lambda
# destination reports the end of a synchronous invocation, so the function records the end
# of its run in the ledger itself (docs/runs.md, "Who writes it"). Send it only with a
# synchronous invoke: an asynchronous one may be retried under the same request id, and there
# the destination must stay the one that records the end.
payload='{"source":"make"}'
if [[ -n "$channel_ids" ]]; then
  payload="$(jq -cn --arg ids "$channel_ids" '{source: "make", channelIds: ($ids | split(",") | map(select(length > 0)))}')"
fi

out="$(mktemp)"
trap 'rm -f "$out"' EXIT

echo "Invoking ${function_name} (synchronous; a full sync can take several minutes)…" >&2
# The CLI's own read timeout (60 s) is shorter than a sync; wait as long as Lambda may run.
meta="$(aws lambda invoke \
  --function-name "$function_name" \
  --cli-binary-format raw-in-base64-out \
  --cli-read-timeout 960 \
  --payload "$payload" \
  "$out")"

cat "$out"
echo

function_error="$(jq -r '.FunctionError // empty' <<<"$meta")"
if [[ -n "$function_error" ]]; then
  echo "${function_name} failed (${function_error}): $(jq -r '"\(.errorType // "Error"): \(.errorMessage // "see logs")"' "$out" 2>/dev/null || true)" >&2
  echo "Logs: aws logs tail /aws/lambda/${function_name} --since 1h" >&2
  exit 1
fi

status="$(jq -r '.status // "unknown"' "$out" 2>/dev/null || echo unknown)"
if [[ "$status" != "success" ]]; then
  echo "${function_name} finished with status \"${status}\" (missing channels, rejected rows or archive failure: see the JSON above)" >&2
  exit 1
fi
