# Shared checks for the operator scripts and Makefile targets that call the AWS CLI.
# Source it, then call the functions:
#
#   source scripts/ops/aws-cli.sh
#   require_aws_cli_v2 || exit $?
#
# Why v2: `aws logs tail` (make logs) and `--cli-binary-format` (make sync-*) exist only
# in AWS CLI v2. CLI v1 fails on them with an argument error that does not say the
# version is the problem, so the version is checked first and named.

AWS_CLI_INSTALL_URL="https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"

# Prints the major version of the `aws` on PATH (1, 2, …); fails when there is none
# or its --version output is not recognised.
aws_cli_major_version() {
  local version
  command -v aws >/dev/null 2>&1 || return 1
  # v1 printed its version on stderr before 1.18; v2 prints on stdout.
  version="$(aws --version 2>&1)" || return 1
  [[ "$version" =~ aws-cli/([0-9]+)\. ]] || return 1
  printf '%s\n' "${BASH_REMATCH[1]}"
}

# Returns 0 when `aws` is AWS CLI v2 or later; otherwise prints what was found and how
# to fix it on stderr and returns 2 (the tool cannot run: nothing was sent to AWS).
require_aws_cli_v2() {
  local major found
  if ! command -v aws >/dev/null 2>&1; then
    echo "AWS CLI v2 is required but no 'aws' is on PATH. Install it: ${AWS_CLI_INSTALL_URL}" >&2
    return 2
  fi
  found="$(aws --version 2>&1 | head -n 1)"
  if ! major="$(aws_cli_major_version)"; then
    echo "AWS CLI v2 is required; could not read the version of $(command -v aws) ('${found}')." >&2
    return 2
  fi
  if ((major < 2)); then
    echo "AWS CLI v2 is required, but $(command -v aws) is ${found%% *} (v${major})." >&2
    echo "  v1 lacks 'aws logs tail' (make logs) and '--cli-binary-format' (make sync-*); the ops scripts support v2 only." >&2
    echo "  Install v2 (${AWS_CLI_INSTALL_URL}) and put it first on PATH; 'aws --version' must print aws-cli/2." >&2
    return 2
  fi
}

# Returns 0 when every named tool is on PATH; otherwise names the missing ones and returns 2.
require_tools() {
  local tool missing=()
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if ((${#missing[@]})); then
    echo "Required but not on PATH: ${missing[*]}" >&2
    return 2
  fi
}
