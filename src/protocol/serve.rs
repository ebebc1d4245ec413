//! The transport: socket, TLS, services, handshake line, signals and the shutdown sequence.

use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{UnixListener, UnixStream};
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::{ReceiverStream, UnixListenerStream};
use tokio_util::sync::CancellationToken;
use tonic::transport::server::{Connected, Router};

use super::controller::{Controller, Health, Stdio};
use super::proto::{health as hpb, plugin as ppb, tfplugin6 as pb};
use super::rpc::ProviderService;
use super::{handshake, tls};
use crate::framework::Server;

/// The provider's source address, as Terraform keys reattach configurations.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/cloudflare-orgs/cloudflare";

/// Largest gRPC message in either direction (terraform-plugin-go's limit; tonic's default is 4 MiB).
pub const MAX_MESSAGE_SIZE: usize = 256 << 20;

/// How long in-flight responses (the Shutdown answer itself) may take to go out once shutdown starts.
/// Terraform closes its connection right after Shutdown returns, so this is normally milliseconds; the cap
/// only matters for a client that keeps its connection open.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// A TLS handshake that takes longer than this is abandoned (it would otherwise hold a task forever).
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How to serve. [`ServeOptions::from_env`] reads what Terraform sets.
#[derive(Clone, Debug, Default)]
pub struct ServeOptions {
    /// `--debug`: plaintext, ignore `Shutdown`, print a `TF_REATTACH_PROVIDERS` line instead of the
    /// handshake, and run until Ctrl-C or SIGTERM.
    pub debug: bool,
    /// PEM of Terraform's client certificate (`PLUGIN_CLIENT_CERT`); `None` serves plaintext.
    pub client_cert_pem: Option<String>,
    /// Where to create the private socket directory (`PLUGIN_UNIX_SOCKET_DIR`; default: system temp).
    pub socket_dir: Option<PathBuf>,
    /// Group that may connect to the socket (`PLUGIN_UNIX_SOCKET_GROUP`, a name or a numeric gid).
    pub socket_group: Option<String>,
}

impl ServeOptions {
    /// Options from the environment go-plugin sets up. In debug mode no TLS is used (reattach never does).
    pub fn from_env(debug: bool) -> ServeOptions {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        ServeOptions {
            debug,
            client_cert_pem: if debug {
                None
            } else {
                var("PLUGIN_CLIENT_CERT")
            },
            socket_dir: var("PLUGIN_UNIX_SOCKET_DIR").map(PathBuf::from),
            socket_group: var("PLUGIN_UNIX_SOCKET_GROUP"),
        }
    }
}

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The socket directory or socket could not be created.
    #[error("cannot create the plugin socket under {dir}: {source}")]
    Socket {
        /// The parent directory.
        dir: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// `PLUGIN_UNIX_SOCKET_GROUP` names no group, or the socket could not be given to it.
    #[error("cannot give the plugin socket to group {group:?}: {reason}")]
    SocketGroup {
        /// The group as given.
        group: String,
        /// What went wrong.
        reason: String,
    },
    /// `PLUGIN_CLIENT_CERT` is not a PEM certificate.
    #[error("PLUGIN_CLIENT_CERT is not a PEM certificate: {0}")]
    ClientCert(String),
    /// Our certificate or the TLS configuration could not be built.
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    /// Signal handlers could not be installed.
    #[error("cannot install signal handlers: {0}")]
    Signals(#[source] io::Error),
    /// The handshake could not be written to stdout.
    #[error("cannot write the handshake to stdout: {0}")]
    Stdout(#[source] io::Error),
    /// The gRPC server failed.
    #[error("gRPC server failed: {0}")]
    Transport(#[source] tonic::transport::Error),
}

/// Serves `server` the way Terraform expects: private unix socket, AutoMTLS when `PLUGIN_CLIENT_CERT` is
/// given, the handshake line on stdout, SIGINT ignored, and a prompt exit (socket removed) on `Shutdown`
/// or SIGTERM. Returns when the process should exit with status 0.
pub async fn serve(server: Arc<Server>, opts: ServeOptions) -> Result<(), ServeError> {
    let shutdown = CancellationToken::new();
    let (socket, listener) =
        PrivateSocket::bind(opts.socket_dir.as_deref(), opts.socket_group.as_deref())?;
    watch_signals(opts.debug, shutdown.clone(), server.clone())?;
    if !opts.debug {
        watch_parent(shutdown.clone());
    }

    let tls = match &opts.client_cert_pem {
        Some(pem) => Some(tls::auto_mtls(pem)?),
        None => None,
    };
    let cert_b64 = tls.as_ref().map(|t| t.cert_b64.clone()).unwrap_or_default();
    let path = socket.path.to_string_lossy().into_owned();
    let announcement = if opts.debug {
        reattach_instructions(&path)
    } else {
        handshake::line(&path, &cert_b64)
    };
    let mut out = io::stdout().lock();
    writeln!(out, "{announcement}")
        .and_then(|()| out.flush())
        .map_err(ServeError::Stdout)?;
    drop(out);
    tracing::info!(
        socket = %path,
        tls = tls.is_some(),
        debug = opts.debug,
        "Serving Terraform plugin protocol 6"
    );

    let routes = routes(server, shutdown.clone(), !opts.debug);
    let result = match tls {
        Some(tls) => {
            let incoming = tls_incoming(listener, TlsAcceptor::from(tls.config));
            run(routes, incoming, shutdown).await
        }
        None => run(routes, UnixListenerStream::new(listener), shutdown).await,
    };
    socket.remove();
    result
}

/// Serves the provider's gRPC services (Provider, GRPCController, GRPCStdio, Health) on connections from
/// `incoming` until `shutdown` fires or a client calls `plugin.GRPCController/Shutdown`. No handshake, no
/// TLS: this is the core of [`serve`], exposed so tests can run the server in-process.
pub async fn serve_connections<I, IO, IE>(
    server: Arc<Server>,
    incoming: I,
    shutdown: CancellationToken,
) -> Result<(), ServeError>
where
    I: Stream<Item = Result<IO, IE>>,
    IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
    IE: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    run(routes(server, shutdown.clone(), true), incoming, shutdown).await
}

/// Every service, with the Provider's message limits raised to [`MAX_MESSAGE_SIZE`]. `exit_on_shutdown`
/// is false in debug mode, where the process outlives the Terraform runs that attach to it.
fn routes(server: Arc<Server>, shutdown: CancellationToken, exit_on_shutdown: bool) -> Router {
    let provider = pb::provider_server::ProviderServer::new(ProviderService::new(server))
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let controller = Controller {
        shutdown: exit_on_shutdown.then(|| shutdown.clone()),
    };
    tonic::transport::Server::builder()
        .add_service(provider)
        .add_service(ppb::grpc_controller_server::GrpcControllerServer::new(
            controller,
        ))
        .add_service(ppb::grpc_stdio_server::GrpcStdioServer::new(Stdio {
            shutdown,
        }))
        .add_service(hpb::health_server::HealthServer::new(Health))
}

/// Runs the server until `shutdown`, then gives in-flight responses [`SHUTDOWN_GRACE`] to go out.
async fn run<I, IO, IE>(
    routes: Router,
    incoming: I,
    shutdown: CancellationToken,
) -> Result<(), ServeError>
where
    I: Stream<Item = Result<IO, IE>>,
    IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
    IE: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let served = routes.serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());
    tokio::pin!(served);
    let result = tokio::select! {
        r = &mut served => r,
        () = shutdown.cancelled() => match tokio::time::timeout(SHUTDOWN_GRACE, served).await {
            Ok(r) => r,
            Err(_) => {
                tracing::debug!("Connections still open after shutdown; closing them");
                Ok(())
            }
        },
    };
    tracing::debug!("Server stopped");
    result.map_err(ServeError::Transport)
}

/// TLS connections from `listener`. Handshakes run in their own tasks so a slow or failed one never
/// blocks the next connection; failures (such as a client certificate other than Terraform's) are logged
/// and the connection dropped.
fn tls_incoming(
    listener: UnixListener,
    acceptor: TlsAcceptor,
) -> ReceiverStream<Result<TlsStream<UnixStream>, io::Error>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::warn!(error = %e, "Accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                },
                // The server dropped its end: stop accepting.
                () = tx.closed() => break,
            };
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => {
                        let _ = tx.send(Ok(tls)).await;
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "TLS handshake failed; connection refused")
                    }
                    Err(_) => tracing::warn!("TLS handshake timed out; connection dropped"),
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

/// SIGINT reaches the whole process group when the user presses Ctrl-C. The server keeps serving (as
/// go-plugin servers do: Terraform still needs the connection to finish gracefully), but in-flight API
/// work is cancelled at once, as `StopProvider` would: Terraform does not call StopProvider while it
/// refreshes or plans inside `apply`, so without this a slow read would outlive the user's Ctrl-C.
/// In debug mode SIGINT stops the server. SIGTERM always stops it (and so removes the socket).
fn watch_signals(
    debug: bool,
    shutdown: CancellationToken,
    server: Arc<Server>,
) -> Result<(), ServeError> {
    let mut interrupt = signal(SignalKind::interrupt()).map_err(ServeError::Signals)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(ServeError::Signals)?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = interrupt.recv() => {
                    if debug {
                        tracing::info!("Interrupted; stopping");
                        break;
                    }
                    tracing::info!("Interrupted: cancelling in-flight API calls; still serving Terraform");
                    server.stop();
                }
                _ = terminate.recv() => {
                    tracing::info!("SIGTERM received; stopping");
                    break;
                }
            }
        }
        shutdown.cancel();
    });
    Ok(())
}

/// Terraform normally ends us with `Shutdown`; if it dies without doing so (SIGKILL, a crash, a broken
/// pipe in a shell pipeline) we are re-parented and would otherwise idle forever. A once-a-second check of
/// the parent PID notices that and shuts down (removing the socket). There is no portable event for it,
/// and `PR_SET_PDEATHSIG` fires when the parent *thread* exits, which Go runtimes do at will.
fn watch_parent(shutdown: CancellationToken) {
    let parent = std::os::unix::process::parent_id();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = tick.tick() => {
                    if std::os::unix::process::parent_id() != parent {
                        tracing::warn!(parent, "Terraform (the parent process) went away without Shutdown; stopping");
                        shutdown.cancel();
                        return;
                    }
                }
            }
        }
    });
}

/// What `--debug` prints: the reattach configuration and how to use it.
fn reattach_instructions(socket: &str) -> String {
    let mut reattach = serde_json::Map::new();
    reattach.insert(
        PROVIDER_ADDRESS.to_string(),
        serde_json::json!({
            "Protocol": "grpc",
            "ProtocolVersion": handshake::PROTOCOL_VERSION,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": { "Network": "unix", "String": socket },
        }),
    );
    let reattach = serde_json::Value::Object(reattach);
    format!(
        "Provider started in debug mode. To attach Terraform to it, run this in the shell where you run \
         Terraform:\n\n    export TF_REATTACH_PROVIDERS='{reattach}'\n\nTerraform commands then use this \
         process instead of starting the provider. Stop it with Ctrl-C."
    )
}

/// A unix socket in a fresh private directory (0700), both removed by [`PrivateSocket::remove`] (or, on
/// an early error, when dropped).
struct PrivateSocket {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl PrivateSocket {
    fn bind(
        parent: Option<&Path>,
        group: Option<&str>,
    ) -> Result<(PrivateSocket, UnixListener), ServeError> {
        let parent = parent.map_or_else(std::env::temp_dir, Path::to_path_buf);
        let err = |source| ServeError::Socket {
            dir: parent.clone(),
            source,
        };
        let dir = tempfile::Builder::new()
            .prefix("tf-cloudflare-orgs-")
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir_in(&parent)
            .map_err(err)?;
        let path = dir.path().join("plugin.sock");
        let listener = UnixListener::bind(&path).map_err(err)?;
        if let Some(group) = group {
            share_with_group(dir.path(), &path, group)?;
        }
        Ok((PrivateSocket { dir, path }, listener))
    }

    fn remove(self) {
        if let Err(e) = self.dir.close() {
            tracing::warn!(error = %e, "Could not remove the plugin socket directory");
        }
    }
}

/// `PLUGIN_UNIX_SOCKET_GROUP`: let members of `group` reach the socket (directory 0710, socket 0660).
fn share_with_group(dir: &Path, socket: &Path, group: &str) -> Result<(), ServeError> {
    let fail = |reason: String| ServeError::SocketGroup {
        group: group.to_string(),
        reason,
    };
    let gid = match group.parse::<u32>() {
        Ok(gid) => gid,
        Err(_) => lookup_group(group).ok_or_else(|| fail("no such group".to_string()))?,
    };
    for (path, mode) in [(dir, 0o710), (socket, 0o660)] {
        std::os::unix::fs::chown(path, None, Some(gid)).map_err(|e| fail(e.to_string()))?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| fail(e.to_string()))?;
    }
    Ok(())
}

fn lookup_group(name: &str) -> Option<u32> {
    let cname = std::ffi::CString::new(name).ok()?;
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: all-zero is a valid `group` (pointers null, gid 0); getgrnam_r only writes into `grp`
    // and `buf`, both valid for the given sizes, and sets `result` to null or to `&grp`.
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::group = std::ptr::null_mut();
    let rc = unsafe {
        libc::getgrnam_r(
            cname.as_ptr(),
            &mut grp,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        )
    };
    (rc == 0 && !result.is_null()).then_some(grp.gr_gid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reattach_line_is_valid_json_keyed_by_the_provider_address() {
        let text = reattach_instructions("/tmp/x/plugin.sock");
        let json = text
            .split("TF_REATTACH_PROVIDERS='")
            .nth(1)
            .and_then(|s| s.split('\'').next())
            .expect("quoted JSON");
        let v: serde_json::Value = serde_json::from_str(json).expect("json");
        let p = &v[PROVIDER_ADDRESS];
        assert_eq!(p["Protocol"], "grpc");
        assert_eq!(p["ProtocolVersion"], 6);
        assert_eq!(p["Test"], true);
        assert_eq!(p["Addr"]["Network"], "unix");
        assert_eq!(p["Addr"]["String"], "/tmp/x/plugin.sock");
        assert_eq!(p["Pid"], std::process::id());
    }

    #[tokio::test]
    async fn socket_directory_is_private_and_removed() {
        let parent = tempfile::tempdir().expect("tempdir");
        let (socket, _listener) = PrivateSocket::bind(Some(parent.path()), None).expect("bind");
        let dir = socket.path.parent().expect("dir").to_path_buf();
        let mode = std::fs::metadata(&dir).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert!(socket.path.exists());
        socket.remove();
        assert!(!dir.exists());
    }
}
