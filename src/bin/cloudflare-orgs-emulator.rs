//! `cloudflare-orgs-emulator`: serves the local Cloudflare Organizations API emulator.
//!
//! Prints exactly one line on stdout, `CLOUDFLARE_BASE_URL=http://127.0.0.1:PORT/client/v4`,
//! logs requests on stderr (never secrets) and exits cleanly on SIGINT/SIGTERM. All behaviour
//! lives in [`tfcf::emulator`].

use std::io::{IsTerminal as _, Write as _};
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use tfcf::emulator::{Config, Emulator, Faults, DEFAULT_API_KEY, DEFAULT_API_TOKEN, DEFAULT_EMAIL};

/// A local emulator of the Cloudflare Organizations API (/client/v4/organizations…).
///
/// Point the provider at it with the printed CLOUDFLARE_BASE_URL. Credentials default to the
/// token "emulator-token" and the key "emulator-key" with email "admin@example.com"; giving
/// --api-token replaces the default token, giving --api-key/--email replaces the default key.
/// The admin surface (state, request log, faults, seeding) is under /__emulator/ and needs no
/// credentials.
#[derive(Debug, Parser)]
#[command(name = "cloudflare-orgs-emulator", version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(
        long,
        default_value = "127.0.0.1:0",
        env = "CLOUDFLARE_EMULATOR_LISTEN"
    )]
    listen: SocketAddr,

    /// Accepted API token (Authorization: Bearer); repeat for several.
    #[arg(long = "api-token", value_name = "TOKEN")]
    api_tokens: Vec<String>,

    /// Accepted global API key (X-Auth-Key); needs --email.
    #[arg(long, value_name = "KEY", requires = "email")]
    api_key: Option<String>,

    /// Email that goes with --api-key (X-Auth-Email).
    #[arg(long, value_name = "EMAIL", requires = "api_key")]
    email: Option<String>,

    /// Include `profile` in organization answers (the live API appears not to).
    #[arg(long)]
    echo_profile: bool,

    /// Enforce "You may only create a single organization." per credential.
    #[arg(long)]
    one_org_per_user: bool,

    /// Fault knobs as JSON, e.g. '{"rate_limit":3,"retry_after_secs":2}' (see GET /__emulator/faults).
    #[arg(long, value_name = "JSON", value_parser = parse_faults)]
    faults: Option<Faults>,

    /// Seed this many root organizations named org-1 … org-N at start.
    #[arg(long, value_name = "N", default_value_t = 0)]
    seed_orgs: usize,
}

fn parse_faults(raw: &str) -> Result<Faults, String> {
    serde_json::from_str(raw).map_err(|e| format!("invalid faults JSON: {e}"))
}

impl Args {
    fn config(&self) -> Config {
        let api_tokens = if self.api_tokens.is_empty() {
            vec![DEFAULT_API_TOKEN.to_string()]
        } else {
            self.api_tokens.clone()
        };
        let api_keys = match (&self.email, &self.api_key) {
            (Some(email), Some(key)) => vec![(email.clone(), key.clone())],
            _ => vec![(DEFAULT_EMAIL.to_string(), DEFAULT_API_KEY.to_string())],
        };
        Config {
            api_tokens,
            api_keys,
            echo_profile: self.echo_profile,
            one_org_per_user: self.one_org_per_user,
            faults: self.faults.clone().unwrap_or_default(),
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down");
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let emulator = Emulator::new(args.config());
    for i in 1..=args.seed_orgs {
        emulator.seed_organization(&format!("org-{i}"), None);
    }
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "cloudflare-orgs-emulator: cannot listen on {}: {e}",
                args.listen
            );
            return ExitCode::FAILURE;
        }
    };
    let mut addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("cloudflare-orgs-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "CLOUDFLARE_BASE_URL=http://{addr}/client/v4");
    let _ = stdout.flush();
    tracing::info!(%addr, "emulator listening; admin surface at /__emulator/");

    match emulator.serve(listener, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cloudflare-orgs-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}
