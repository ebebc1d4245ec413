#!/usr/bin/env bash
# Print the path of a Terraform >= 1.15 on stdout, installing one if none is found.
#
# Same order as tests/common/terraform.rs::terraform_path():
#   1. $TF_ACC_TERRAFORM_PATH, if set (it must be >= 1.15: a wrong explicit choice is an error,
#      not something to silently route around);
#   2. .tools/bin/terraform (written by scripts/install-terraform.sh);
#   3. every `terraform` on PATH, in order;
#   4. otherwise run scripts/install-terraform.sh and use .tools/bin/terraform.
# Diagnostics go to stderr; exits non-zero with the reason if nothing works.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.tools/bin/terraform"

say() { echo "find-terraform: $*" >&2; }

# Prints the version a terraform reports (x.y.z), or nothing if it does not run.
tf_version() {
  CHECKPOINT_DISABLE=1 TF_CLI_ARGS= TF_CLI_ARGS_version= "$1" version 2>/dev/null \
    | sed -n '1s/^Terraform v\([0-9][0-9.]*\).*/\1/p' || true
}

# True if version $1 is >= 1.15.
new_enough() {
  local major minor
  IFS=. read -r major minor _ <<<"$1"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  (( major > 1 || (major == 1 && minor >= 15) ))
}

if [[ -n "${TF_ACC_TERRAFORM_PATH:-}" ]]; then
  v="$(tf_version "$TF_ACC_TERRAFORM_PATH")"
  if [[ -n "$v" ]] && new_enough "$v"; then
    say "using TF_ACC_TERRAFORM_PATH=$TF_ACC_TERRAFORM_PATH (Terraform $v)"
    echo "$TF_ACC_TERRAFORM_PATH"
    exit 0
  fi
  say "ERROR: TF_ACC_TERRAFORM_PATH=$TF_ACC_TERRAFORM_PATH is ${v:+Terraform $v, }not a Terraform >= 1.15; unset it to let this script find or install one"
  exit 1
fi

candidates=()
[[ -x "$LOCAL" ]] && candidates+=("$LOCAL")
IFS=: read -r -a path_dirs <<<"${PATH:-}"
for d in "${path_dirs[@]}"; do
  [[ -n "$d" && -f "$d/terraform" && -x "$d/terraform" ]] && candidates+=("$d/terraform")
done

for c in ${candidates[@]+"${candidates[@]}"}; do
  v="$(tf_version "$c")"
  if [[ -n "$v" ]] && new_enough "$v"; then
    say "using $c (Terraform $v)"
    echo "$c"
    exit 0
  fi
  say "skipping $c (${v:+Terraform $v, }not >= 1.15)"
done

say "no Terraform >= 1.15 found; installing one with scripts/install-terraform.sh"
"$ROOT/scripts/install-terraform.sh" >&2 \
  || { say "ERROR: scripts/install-terraform.sh failed; cannot run Terraform tests"; exit 1; }
v="$(tf_version "$LOCAL")"
if [[ -n "$v" ]] && new_enough "$v"; then
  say "using $LOCAL (Terraform $v)"
  echo "$LOCAL"
  exit 0
fi
say "ERROR: $LOCAL still does not report Terraform >= 1.15 after installation"
exit 1
