#!/usr/bin/env bash
# Smoke-fuzzes the value codecs (src/framework/codec): each target for a short while.
#
# With cargo-fuzz and a nightly toolchain: `cargo +nightly fuzz run <target> -- -max_total_time=N` for
# msgpack_decode and json_decode (fuzz/fuzz_targets). Without them (rustup cannot fetch toolchains on some
# machines): the same fuzz bodies (src/framework/codec/fuzz_body.rs) run as a plain deterministic stress
# test over fixed-seed pseudo-random and mutated inputs. Either way a panic or a broken round trip fails.
#
#   FUZZ_SECONDS=20            seconds per cargo-fuzz target
#   FUZZ_FORCE_STRESS=1        skip cargo-fuzz even when it is available
#   CODEC_STRESS_ITERATIONS=N  inputs per codec for the stress test (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
targets=(msgpack_decode json_decode)

have_cargo_fuzz() {
    cargo fuzz --version >/dev/null 2>&1 && rustup run nightly rustc --version >/dev/null 2>&1
}

if [[ "${FUZZ_FORCE_STRESS:-0}" != 1 ]] && have_cargo_fuzz; then
    for target in "${targets[@]}"; do
        echo "== cargo fuzz run $target (${seconds}s)"
        # Debug assertions on, as in tests; a crash leaves its input in fuzz/artifacts/<target>/.
        cargo +nightly fuzz run --debug-assertions "$target" -- \
            -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096
    done
else
    if [[ "${FUZZ_FORCE_STRESS:-0}" == 1 ]]; then
        echo "== FUZZ_FORCE_STRESS=1: running the fuzz bodies as the deterministic stress test"
    else
        echo "== cargo-fuzz or a nightly toolchain is not available: running the fuzz bodies as the deterministic stress test"
    fi
    cargo test --lib framework::codec::tests::stress -- --nocapture
fi
