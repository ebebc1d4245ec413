//! Shared harness for the integration tests that drive a real Terraform CLI against our provider.
//!
//! Pull it into a test file with `mod common;` and write tests in the style of cargo's test suite:
//!
//! ```ignore
//! mod common;
//! use common::*;
//!
//! /// Creating an organization converges: apply, then an empty plan with and without refresh.
//! #[test]
//! fn organization_basic() {
//!     let emu = /* start the emulator on 127.0.0.1:0 */;
//!     let ws = Workspace::new()
//!         .provider_env(&emu.base_url(), Auth::token("emulator-token"))
//!         .file("main.tf", &testdata("organization/basic.tf", &[("name", "acme")]));
//!     apply_and_verify(&ws);
//!     import_verify(&ws, "cloudflare_organization.test", &id, &[]);
//!     destroy_and_check(&ws);
//! }
//! ```
//!
//! - [`terraform`]: locating Terraform ≥ 1.15, the [`Workspace`] builder, [`Output`], [`Running`].
//! - [`steps`]: terraform-plugin-testing semantics (apply → empty plans → import-verify → destroy).
//!
//! Every helper that fails panics with the command line, exit status, stdout and stderr, so a test
//! failure reads on its own. No helper skips: a missing Terraform is a failure with instructions.

// Each integration-test binary compiles its own copy of this module and uses a subset of it.
#![allow(dead_code, unused_imports)]

pub mod steps;
pub mod terraform;
pub mod tracing;

pub use self::tracing::OnMessage;

/// The emulator with its default configuration, on 127.0.0.1:0, for one test.
pub fn start_emulator() -> tfcf::emulator::BackgroundEmulator {
    tfcf::emulator::BackgroundEmulator::start(tfcf::emulator::Config::default())
        .expect("emulator starts on 127.0.0.1:0")
}
pub use steps::*;
pub use terraform::*;
