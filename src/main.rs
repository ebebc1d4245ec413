//! `terraform-provider-cloudflare`: the Terraform provider plugin for the Cloudflare Organizations API.
//! Terraform starts it; run with `--debug` to start it yourself under a debugger.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use tfcf::framework::Server;
use tfcf::protocol::{self, handshake, logging, ServeOptions};
use tracing_subscriber::filter::LevelFilter;

/// Terraform provider for the Cloudflare Organizations API (cloudflare-orgs/cloudflare).
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Run as a standalone process for debuggers: prints a TF_REATTACH_PROVIDERS value to export, and
    /// serves until Ctrl-C.
    #[arg(long)]
    debug: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if !args.debug {
        if let Err(e) = handshake::check_env() {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    }
    logging::init(if args.debug {
        LevelFilter::INFO
    } else {
        LevelFilter::WARN
    });
    // Panics are logged as one line; no backtrace reaches Terraform's output.
    std::panic::set_hook(Box::new(
        |info| tracing::error!(panic = %info, "Provider panicked"),
    ));

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("terraform-provider-cloudflare: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let server = Arc::new(Server::new(tfcf::provider::new()));
    let result = runtime.block_on(protocol::serve(server, ServeOptions::from_env(args.debug)));
    // Don't wait for in-flight work (e.g. HTTP calls of a connection Terraform already closed).
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "Provider stopped");
            eprintln!("terraform-provider-cloudflare: {e}");
            ExitCode::FAILURE
        }
    }
}
