//! The real binary as Terraform launches it: environment check, handshake line, AutoMTLS, Shutdown,
//! signals and debug mode.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use hyper_util::rt::TokioIo;
use rustls::crypto::aws_lc_rs;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tempfile::TempDir;
use tfcf::protocol::proto::plugin as ppb;
use tfcf::protocol::proto::tfplugin6 as pb;
use tokio::net::UnixStream;
use tonic::transport::{Channel, Endpoint, Uri};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-cloudflare");
const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

// ----- harness ---------------------------------------------------------------------------------------

/// A client certificate like go-plugin's: ECDSA P-521, self-signed, CA:TRUE.
struct ClientCert {
    pem: String,
    der: CertificateDer<'static>,
    key: Vec<u8>,
}

impl ClientCert {
    fn generate() -> ClientCert {
        use rcgen::{
            BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, KeyPair,
            KeyUsagePurpose, PKCS_ECDSA_P521_SHA512,
        };
        let key = KeyPair::generate_for(&PKCS_ECDSA_P521_SHA512).expect("key");
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let cert = params.self_signed(&key).expect("cert");
        ClientCert {
            pem: cert.pem(),
            der: cert.der().clone(),
            key: key.serialize_der(),
        }
    }
}

/// The provider process, started the way Terraform starts it.
struct Plugin {
    child: Child,
    stdout: BufReader<std::process::ChildStdout>,
    socket_parent: TempDir,
}

/// The parsed handshake line.
struct Handshake {
    fields: Vec<String>,
}

impl Handshake {
    fn socket(&self) -> PathBuf {
        PathBuf::from(&self.fields[3])
    }
    fn cert(&self) -> &str {
        &self.fields[5]
    }
}

impl Plugin {
    fn command(socket_parent: &Path) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_MIN_PORT", "10000")
            .env("PLUGIN_MAX_PORT", "25000")
            .env("PLUGIN_UNIX_SOCKET_DIR", socket_parent)
            .env_remove("PLUGIN_CLIENT_CERT")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        cmd
    }

    fn start(client_cert: Option<&ClientCert>, args: &[&str]) -> Plugin {
        let socket_parent = tempfile::tempdir().expect("tempdir");
        let mut cmd = Self::command(socket_parent.path());
        if let Some(c) = client_cert {
            cmd.env("PLUGIN_CLIENT_CERT", &c.pem);
        }
        let mut child = cmd.args(args).spawn().expect("spawn the provider");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Plugin {
            child,
            stdout,
            socket_parent,
        }
    }

    fn handshake(&mut self) -> Handshake {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("read handshake");
        assert!(
            line.ends_with('\n'),
            "handshake line is newline-terminated: {line:?}"
        );
        let fields: Vec<String> = line.trim_end().split('|').map(String::from).collect();
        assert_eq!(
            fields.len(),
            6,
            "CORE|APP|NETWORK|ADDR|PROTOCOL|CERT: {line:?}"
        );
        assert_eq!(fields[0], "1");
        assert_eq!(fields[1], "6");
        assert_eq!(fields[2], "unix");
        assert_eq!(fields[4], "grpc");
        Handshake { fields }
    }

    fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the provider did not exit within {within:?}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn signal(&self, sig: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid");
        // SAFETY: kill has no memory-safety preconditions.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    }

    fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn plaintext_channel(socket: PathBuf) -> Result<Channel, tonic::transport::Error> {
    Endpoint::try_from("http://localhost")
        .expect("endpoint")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let socket = socket.clone();
            async move { UnixStream::connect(socket).await.map(TokioIo::new) }
        }))
        .await
}

/// A TLS channel as go-plugin opens it: trusting exactly the server certificate from the handshake, for
/// server name `localhost` (so the SAN must be there), presenting `client`.
async fn tls_channel(
    socket: PathBuf,
    server_cert_der: Vec<u8>,
    client: &ClientCert,
) -> Result<Channel, tonic::transport::Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(server_cert_der))
        .expect("server cert is a usable trust anchor");
    let mut config =
        rustls::ClientConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_client_auth_cert(
                vec![client.der.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(client.key.clone())),
            )
            .expect("client cert");
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    Endpoint::try_from("http://localhost")
        .expect("endpoint")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let socket = socket.clone();
            let connector = connector.clone();
            async move {
                let stream = UnixStream::connect(socket).await?;
                let name = ServerName::try_from("localhost").expect("name");
                let tls = connector.connect(name, stream).await?;
                Ok::<_, std::io::Error>(TokioIo::new(tls))
            }
        }))
        .await
}

async fn schema(channel: Channel) -> Result<pb::get_provider_schema::Response, tonic::Status> {
    pb::provider_client::ProviderClient::new(channel)
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .map(tonic::Response::into_inner)
}

async fn shutdown(channel: Channel) {
    // The answer may or may not arrive before the process exits; both are fine for go-plugin.
    let _ = ppb::grpc_controller_client::GrpcControllerClient::new(channel)
        .shutdown(ppb::Empty {})
        .await;
}

// ----- tests -------------------------------------------------------------------------------------------

/// Run by hand (no magic cookie), the binary explains what it is on stderr and exits 1.
#[test]
fn without_the_cookie_it_explains_itself_and_exits_1() {
    let out = Command::new(BIN)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .env_remove("PLUGIN_PROTOCOL_VERSIONS")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let stderr = String::from_utf8(out.stderr).expect("utf8");
    for needle in [
        "Terraform provider plugin for the Cloudflare Organizations API",
        "cloudflare-orgs/cloudflare",
        "dev_overrides",
        "--debug",
        "TF_REATTACH_PROVIDERS",
        "README",
    ] {
        assert!(stderr.contains(needle), "stderr lacks {needle:?}: {stderr}");
    }
}

/// With the cookie but without protocol 6 on offer, it says so and exits 1.
#[test]
fn without_protocol_6_it_exits_1() {
    let out = Command::new(BIN)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("protocol 6"));
}

/// Without PLUGIN_CLIENT_CERT: plaintext, empty cert field, a private socket dir; Shutdown exits 0 at once
/// and removes the socket and its directory.
#[tokio::test]
async fn plaintext_handshake_serves_and_shutdown_exits_promptly() {
    let mut p = Plugin::start(None, &[]);
    let hs = p.handshake();
    assert_eq!(hs.cert(), "", "no TLS, no cert");
    let socket = hs.socket();
    assert!(socket.exists(), "socket exists");
    let dir = socket.parent().expect("socket dir").to_path_buf();
    assert!(
        dir.starts_with(p.socket_parent.path()),
        "honours PLUGIN_UNIX_SOCKET_DIR"
    );
    let mode = std::fs::metadata(&dir).expect("dir").permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "private socket dir");

    let channel = plaintext_channel(socket.clone()).await.expect("connect");
    let resp = schema(channel.clone()).await.expect("GetProviderSchema");
    assert!(resp.provider.is_some());

    let started = Instant::now();
    shutdown(channel).await;
    let status = p.wait_exit(Duration::from_secs(1));
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "exit took {:?}",
        started.elapsed()
    );
    assert!(!socket.exists(), "socket removed");
    assert!(!dir.exists(), "socket dir removed");
}

/// AutoMTLS: the cert field is our certificate (unpadded base64, SAN localhost); a client with
/// Terraform's certificate is served, a client with any other certificate is refused.
#[tokio::test]
async fn auto_mtls_serves_only_the_announced_client_certificate() {
    let client = ClientCert::generate();
    let mut p = Plugin::start(Some(&client), &[]);
    let hs = p.handshake();
    let cert = hs.cert().to_string();
    assert!(
        cert.len() > 50,
        "go-plugin only parses certs longer than 50 chars"
    );
    assert!(!cert.contains('='), "unpadded");
    let der = STANDARD_NO_PAD
        .decode(&cert)
        .expect("standard base64 alphabet");

    // tls_channel verifies the certificate for server name "localhost", so this also proves the SAN.
    let channel = tls_channel(hs.socket(), der.clone(), &client)
        .await
        .expect("TLS connect with Terraform's certificate");
    let resp = schema(channel.clone())
        .await
        .expect("GetProviderSchema over mTLS");
    assert!(resp.server_capabilities.expect("caps").plan_destroy);

    let stranger = ClientCert::generate();
    let refused = match tls_channel(hs.socket(), der.clone(), &stranger).await {
        Err(_) => true,
        Ok(ch) => schema(ch).await.is_err(),
    };
    assert!(refused, "a different client certificate must be refused");
    let refused_plain = match plaintext_channel(hs.socket()).await {
        Err(_) => true,
        Ok(ch) => schema(ch).await.is_err(),
    };
    assert!(refused_plain, "plaintext must be refused under AutoMTLS");

    // The legitimate client still works after the refusals.
    schema(channel.clone()).await.expect("still serving");
    shutdown(channel).await;
    assert!(p.wait_exit(Duration::from_secs(1)).success());
    assert!(!hs.socket().exists());
}

/// SIGINT (Ctrl-C hits the whole process group) is ignored; SIGTERM stops the provider and removes the
/// socket.
#[tokio::test]
async fn sigint_is_ignored_and_sigterm_cleans_up() {
    let mut p = Plugin::start(None, &[]);
    let hs = p.handshake();
    p.signal(libc::SIGINT);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(p.is_running(), "SIGINT must not stop the provider");
    let channel = plaintext_channel(hs.socket()).await.expect("connect");
    schema(channel).await.expect("still serving after SIGINT");

    p.signal(libc::SIGTERM);
    assert!(p.wait_exit(Duration::from_secs(2)).success());
    assert!(!hs.socket().exists(), "socket removed on SIGTERM");
    assert!(!hs.socket().parent().expect("dir").exists());
}

/// `--debug` needs no cookie, prints a TF_REATTACH_PROVIDERS value for our address, serves plaintext,
/// survives Shutdown, and stops on Ctrl-C.
#[tokio::test]
async fn debug_mode_prints_reattach_config_and_stops_on_ctrl_c() {
    let parent = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(BIN)
        .arg("--debug")
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env("PLUGIN_UNIX_SOCKET_DIR", parent.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut json = None;
    for _ in 0..20 {
        let mut line = String::new();
        if stdout.read_line(&mut line).expect("read") == 0 {
            break;
        }
        if let Some(rest) = line.trim().strip_prefix("export TF_REATTACH_PROVIDERS='") {
            json = Some(rest.trim_end_matches('\'').to_string());
            break;
        }
    }
    let json = json.expect("a TF_REATTACH_PROVIDERS line");
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let p = &v["registry.terraform.io/cloudflare-orgs/cloudflare"];
    assert_eq!(p["Protocol"], "grpc");
    assert_eq!(p["ProtocolVersion"], 6);
    assert_eq!(p["Pid"], child.id());
    assert_eq!(p["Test"], true);
    assert_eq!(p["Addr"]["Network"], "unix");
    let socket = PathBuf::from(p["Addr"]["String"].as_str().expect("socket path"));

    let channel = plaintext_channel(socket.clone())
        .await
        .expect("plaintext connect");
    schema(channel.clone()).await.expect("serves");
    shutdown(channel.clone()).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        child.try_wait().expect("try_wait").is_none(),
        "Shutdown is ignored in debug mode"
    );
    schema(channel).await.expect("still serving");

    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    // SAFETY: kill has no memory-safety preconditions.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let deadline = Instant::now() + Duration::from_secs(2);
    let status = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break s;
        }
        assert!(Instant::now() < deadline, "debug mode must stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(status.success(), "{status:?}");
    assert!(!socket.exists(), "socket removed");
    let mut rest = String::new();
    let _ = stdout.read_to_string(&mut rest);
}

/// A plugin whose parent dies without calling Shutdown (Terraform SIGKILLed) exits on its own and removes
/// its socket, instead of idling forever as an orphan.
#[test]
fn plugin_exits_when_its_parent_dies_without_shutdown() {
    let socket_parent = TempDir::new().expect("temp dir");
    // A shell starts the plugin in the background, prints its pid and handshake, then waits; killing the
    // shell with SIGKILL re-parents the plugin, as when Terraform itself is killed.
    let mut shell = Command::new("bash")
        .arg("-c")
        .arg(format!("'{BIN}' & echo \"$!\"; wait"))
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env("PLUGIN_UNIX_SOCKET_DIR", socket_parent.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("bash starts");
    let mut lines = BufReader::new(shell.stdout.take().expect("stdout"));
    let mut pid_line = String::new();
    lines.read_line(&mut pid_line).expect("pid line");
    let pid: u32 = pid_line.trim().parse().expect("a pid");
    let mut handshake = String::new();
    lines.read_line(&mut handshake).expect("handshake line");
    let socket = PathBuf::from(handshake.trim().split('|').nth(3).expect("socket field"));
    assert!(
        socket.exists(),
        "socket {} exists while serving",
        socket.display()
    );

    shell.kill().expect("SIGKILL the parent");
    shell.wait().expect("parent reaped");
    let deadline = Instant::now() + Duration::from_secs(10);
    while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
        // Waiting on a condition with a deadline: the plugin checks its parent once a second.
        std::thread::sleep(Duration::from_millis(50));
        // A zombie (exited, not yet reaped by init) counts as exited.
        if std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true)
        {
            break;
        }
    }
    let alive = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| !s.contains(") Z "))
        .unwrap_or(false);
    assert!(
        !alive,
        "the orphaned plugin (pid {pid}) still runs 10 s after its parent died"
    );
    assert!(!socket.exists(), "the orphaned plugin removed its socket");
}
