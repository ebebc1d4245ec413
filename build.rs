//! Compiles `proto/*.proto` into tonic/prost code in `OUT_DIR` with protox (pure Rust: no system `protoc`).
//! Generated code is never committed. Client stubs are generated too: the integration tests in `tests/`
//! drive the server through them.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "proto/tfplugin6.proto",
        "proto/plugin.proto",
        "proto/health.proto",
    ];
    for f in files {
        println!("cargo:rerun-if-changed={f}");
    }
    let fds = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_fds(fds)?;
    Ok(())
}
