//! go-plugin's side services: `plugin.GRPCController` (Shutdown), `plugin.GRPCStdio` and the gRPC health
//! check.

use std::pin::Pin;

use futures::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::proto::health as hpb;
use super::proto::plugin as ppb;

/// `plugin.GRPCController`: Terraform calls `Shutdown` when it is done with this process. Answering and
/// then exiting promptly matters: otherwise go-plugin waits two seconds and kills us, for every provider
/// process of every command.
/// In debug mode `shutdown` is `None`: the process outlives the Terraform runs that attach to it.
pub(crate) struct Controller {
    pub(crate) shutdown: Option<CancellationToken>,
}

#[tonic::async_trait]
impl ppb::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _req: Request<ppb::Empty>) -> Result<Response<ppb::Empty>, Status> {
        match &self.shutdown {
            Some(shutdown) => {
                tracing::debug!("Shutdown requested by Terraform");
                shutdown.cancel();
            }
            None => tracing::debug!("Shutdown ignored in debug mode"),
        }
        Ok(Response::new(ppb::Empty {}))
    }
}

/// `plugin.GRPCStdio`: our logs go straight to stderr, which go-plugin reads anyway, so the stream carries
/// nothing. It stays open until shutdown (ending it early would make go-plugin log an error).
pub(crate) struct Stdio {
    pub(crate) shutdown: CancellationToken,
}

type StdioStream = Pin<Box<dyn Stream<Item = Result<ppb::StdioData, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl ppb::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = StdioStream;

    async fn stream_stdio(
        &self,
        _req: Request<ppb::Empty>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        let shutdown = self.shutdown.clone();
        let stream = futures::stream::once(async move { shutdown.cancelled_owned().await })
            .filter_map(|()| async { None });
        Ok(Response::new(Box::pin(stream)))
    }
}

/// `grpc.health.v1.Health`: go-plugin's `Ping` asks for service `plugin`; we are serving while we run.
pub(crate) struct Health;

#[tonic::async_trait]
impl hpb::health_server::Health for Health {
    async fn check(
        &self,
        req: Request<hpb::HealthCheckRequest>,
    ) -> Result<Response<hpb::HealthCheckResponse>, Status> {
        use hpb::health_check_response::ServingStatus;
        let status = match req.get_ref().service.as_str() {
            "" | "plugin" => ServingStatus::Serving,
            _ => ServingStatus::ServiceUnknown,
        };
        Ok(Response::new(hpb::HealthCheckResponse {
            status: status as i32,
        }))
    }
}
