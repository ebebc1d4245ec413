#!/usr/bin/env bash
# End-to-end demo: the release provider against the release emulator, driven by Terraform >= 1.15.
#
#   1. start `cloudflare-orgs-emulator --listen 127.0.0.1:0` and read its first stdout line,
#      `CLOUDFLARE_BASE_URL=http://127.0.0.1:PORT/client/v4`;
#   2. write a CLI config whose dev_overrides point cloudflare-orgs/cloudflare at the release dir;
#   3. copy examples/quickstart/ to a temp dir and run: apply, output, plan -detailed-exitcode
#      (must be 0: no changes after apply), destroy;
#   4. always stop the emulator and remove temp files.
# Exits non-zero naming the failed step. Run through `make demo`, which builds the binaries first.
#
# Overridable (for testing this script): DEMO_EMULATOR, DEMO_PROVIDER_DIR, DEMO_EXAMPLE_DIR,
# DEMO_API_TOKEN (default emulator-token), TF_ACC_TERRAFORM_PATH (see scripts/find-terraform.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RELEASE_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/release"
case "$RELEASE_DIR" in /*) ;; *) RELEASE_DIR="$ROOT/$RELEASE_DIR" ;; esac
EMULATOR="${DEMO_EMULATOR:-$RELEASE_DIR/cloudflare-orgs-emulator}"
PROVIDER_DIR="${DEMO_PROVIDER_DIR:-$RELEASE_DIR}"
EXAMPLE_DIR="${DEMO_EXAMPLE_DIR:-$ROOT/examples/quickstart}"
API_TOKEN="${DEMO_API_TOKEN:-emulator-token}"
STARTUP_TIMEOUT=30
# Colour only on a terminal: a log file or CI gets plain text.
COLOR=()
[[ -t 1 ]] || COLOR=(-no-color)

STEP="setup"
EMU_PID=""
TMP=""

step() { STEP="$*"; printf '\n==> %s\n' "$*"; }
fail() {
  echo "demo: FAILED at step '$STEP'${1:+: $1}" >&2
  if [[ -n "$TMP" && -s "$TMP/emulator.log" ]]; then
    echo "demo: last lines of the emulator's log:" >&2
    tail -n 20 "$TMP/emulator.log" >&2
  fi
  exit 1
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM ERR
  if [[ -n "$EMU_PID" ]] && kill -0 "$EMU_PID" 2>/dev/null; then
    kill -TERM "$EMU_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$EMU_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$EMU_PID" 2>/dev/null || true
    wait "$EMU_PID" 2>/dev/null || true
  fi
  [[ -n "$TMP" ]] && rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "demo: interrupted during step '\''$STEP'\''" >&2; exit 130' INT TERM
trap 'fail "command failed (exit $?): $BASH_COMMAND"' ERR

step "check inputs"
[[ -x "$EMULATOR" ]] || fail "emulator binary not found at $EMULATOR (run \`make demo\`, which builds it)"
[[ -x "$PROVIDER_DIR/terraform-provider-cloudflare" ]] \
  || fail "provider binary not found at $PROVIDER_DIR/terraform-provider-cloudflare (run \`make demo\`)"
[[ -d "$EXAMPLE_DIR" ]] || fail "example directory $EXAMPLE_DIR does not exist"

step "find Terraform >= 1.15"
TF="$("$ROOT/scripts/find-terraform.sh")" || fail "no Terraform >= 1.15 available"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/tfcf-demo.XXXXXX")"

step "start the emulator"
"$EMULATOR" --listen 127.0.0.1:0 >"$TMP/emulator.out" 2>"$TMP/emulator.log" &
EMU_PID=$!
line=""
for _ in $(seq $((STARTUP_TIMEOUT * 10))); do
  # Wait for the full line (its newline written), not a partial write: wc -l counts newlines.
  if [[ "$(wc -l <"$TMP/emulator.out")" -ge 1 ]]; then
    IFS= read -r line <"$TMP/emulator.out"
    break
  fi
  kill -0 "$EMU_PID" 2>/dev/null || fail "the emulator exited before printing its URL"
  sleep 0.1
done
[[ -n "$line" ]] || fail "the emulator printed nothing within ${STARTUP_TIMEOUT}s"
[[ "$line" =~ ^CLOUDFLARE_BASE_URL=(http://127\.0\.0\.1:[0-9]+/client/v4)$ ]] \
  || fail "unexpected first line from the emulator: '$line' (want CLOUDFLARE_BASE_URL=http://127.0.0.1:PORT/client/v4)"
echo "emulator pid $EMU_PID at ${BASH_REMATCH[1]}"

# Only the emulator's URL and token: never a developer's real credentials or Terraform settings.
while IFS='=' read -r name _; do
  case "$name" in CLOUDFLARE_* | TF_CLI_ARGS* | TF_WORKSPACE | TF_DATA_DIR | TF_REATTACH_PROVIDERS) unset "$name" ;; esac
done < <(env)
export CLOUDFLARE_BASE_URL="${BASH_REMATCH[1]}"
export CLOUDFLARE_API_TOKEN="$API_TOKEN"
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
export TF_CLI_CONFIG_FILE="$TMP/cli.tfrc"
cat >"$TF_CLI_CONFIG_FILE" <<HCL
disable_checkpoint = true
provider_installation {
  dev_overrides {
    "cloudflare-orgs/cloudflare" = "$PROVIDER_DIR"
  }
  direct {}
}
HCL

step "copy $EXAMPLE_DIR"
mkdir "$TMP/work"
cp -R "$EXAMPLE_DIR/." "$TMP/work/"
rm -rf "$TMP/work/.terraform" "$TMP/work"/terraform.tfstate*
cd "$TMP/work"

step "terraform apply"
"$TF" apply -auto-approve -input=false "${COLOR[@]}"

step "terraform output"
"$TF" output "${COLOR[@]}"

step "terraform plan -detailed-exitcode (expect no changes)"
rc=0
"$TF" plan -detailed-exitcode -input=false "${COLOR[@]}" || rc=$?
case "$rc" in
  0) ;;
  2) fail "the plan after apply is not empty (exit 2): the provider does not converge" ;;
  *) fail "terraform plan failed (exit $rc)" ;;
esac

step "terraform destroy"
"$TF" destroy -auto-approve -input=false "${COLOR[@]}"

STEP="done"
printf '\ndemo: OK (apply, output, empty plan, destroy against %s)\n' "$CLOUDFLARE_BASE_URL"
