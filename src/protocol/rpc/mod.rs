//! The `tfplugin6.Provider` service: one thin adapter per RPC (decode → call the framework → encode).
//!
//! This file only routes: it opens a log span per call (`tf_rpc`, `tf_resource_type`), turns a panic into
//! an `Internal` status instead of a dropped connection, and calls the adapter in the file named after the
//! RPC group. Conversions live in [`super::convert`].

mod data_source;
mod list;
mod provider;
mod resource;
mod schema;
mod unsupported;

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use futures::{FutureExt, Stream};
use prost::Message;
use tonic::{Request, Response, Status, Streaming};
use tracing::Instrument;

use super::proto::tfplugin6 as pb;
use crate::framework::Server;

/// The Provider gRPC service over a framework [`Server`].
pub(crate) struct ProviderService {
    server: Arc<Server>,
}

impl ProviderService {
    pub(crate) fn new(server: Arc<Server>) -> Self {
        ProviderService { server }
    }
}

type EventStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// One RPC call being served: its log span (`tf_rpc`, `tf_resource_type`) and the request size.
struct Call {
    rpc: &'static str,
    span: tracing::Span,
    request_bytes: usize,
}

impl Call {
    fn new(rpc: &'static str, type_name: &str, req: &impl Message) -> Call {
        let span = if type_name.is_empty() {
            tracing::info_span!("rpc", tf_rpc = rpc)
        } else {
            tracing::info_span!("rpc", tf_rpc = rpc, tf_resource_type = type_name)
        };
        Call {
            rpc,
            span,
            request_bytes: req.encoded_len(),
        }
    }

    /// Runs the adapter inside the span. Logs sizes, never values (they may hold credentials). A panic
    /// becomes an `Internal` status rather than a dropped connection.
    async fn run<Resp: Message>(
        self,
        adapter: impl Future<Output = Resp>,
    ) -> Result<Response<Resp>, Status> {
        let Call {
            rpc,
            span,
            request_bytes,
        } = self;
        async move {
            let started = Instant::now();
            tracing::debug!(request_bytes, "Received request");
            match AssertUnwindSafe(adapter).catch_unwind().await {
                Ok(resp) => {
                    tracing::debug!(
                        response_bytes = resp.encoded_len(),
                        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
                        "Served request"
                    );
                    Ok(Response::new(resp))
                }
                Err(panic) => {
                    let msg = panic_message(panic.as_ref());
                    tracing::error!(panic = %msg, "Provider panicked while serving the request");
                    Err(Status::internal(format!(
                        "The provider panicked while serving {rpc}: {msg}. This is a bug in the \
                         provider; please report it."
                    )))
                }
            }
        }
        .instrument(span)
        .await
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// A stream of exactly one item.
fn once<T: Send + 'static>(item: T) -> EventStream<T> {
    Box::pin(futures::stream::iter([Ok(item)]))
}

#[tonic::async_trait]
impl pb::provider_server::Provider for ProviderService {
    // ----- metadata and schemas -----

    async fn get_metadata(
        &self,
        req: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("GetMetadata", "", &req)
            .run(async { schema::get_metadata(s) })
            .await
    }

    async fn get_provider_schema(
        &self,
        req: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("GetProviderSchema", "", &req)
            .run(async { schema::get_provider_schema(s) })
            .await
    }

    async fn get_resource_identity_schemas(
        &self,
        req: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("GetResourceIdentitySchemas", "", &req)
            .run(async { schema::get_resource_identity_schemas(s) })
            .await
    }

    async fn get_functions(
        &self,
        req: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        let req = req.into_inner();
        Call::new("GetFunctions", "", &req)
            .run(async { schema::get_functions() })
            .await
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = req.into_inner();
        Call::new("CallFunction", &req.name.clone(), &req)
            .run(async { schema::call_function(req) })
            .await
    }

    // ----- provider -----

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("ValidateProviderConfig", "", &req)
            .run(async { provider::validate_provider_config(s, req) })
            .await
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("ConfigureProvider", "", &req)
            .run(provider::configure_provider(s, req))
            .await
    }

    async fn stop_provider(
        &self,
        req: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("StopProvider", "", &req)
            .run(async { provider::stop_provider(s) })
            .await
    }

    // ----- managed resources -----

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("ValidateResourceConfig", &req.type_name, &req)
            .run(async { resource::validate_resource_config(s, req) })
            .await
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("UpgradeResourceState", &req.type_name, &req)
            .run(async { resource::upgrade_resource_state(s, req) })
            .await
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("UpgradeResourceIdentity", &req.type_name, &req)
            .run(async { resource::upgrade_resource_identity(s, req) })
            .await
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("ReadResource", &req.type_name, &req)
            .run(resource::read_resource(s, req))
            .await
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("PlanResourceChange", &req.type_name, &req)
            .run(async { resource::plan_resource_change(s, req) })
            .await
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("ApplyResourceChange", &req.type_name, &req)
            .run(resource::apply_resource_change(s, req))
            .await
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("ImportResourceState", &req.type_name, &req)
            .run(resource::import_resource_state(s, req))
            .await
    }

    async fn move_resource_state(
        &self,
        req: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("MoveResourceState", &req.target_type_name, &req)
            .run(async { resource::move_resource_state(s, req) })
            .await
    }

    async fn generate_resource_config(
        &self,
        req: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("GenerateResourceConfig", &req.type_name, &req)
            .run(async { resource::generate_resource_config(s, req) })
            .await
    }

    // ----- data sources -----

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("ValidateDataResourceConfig", &req.type_name, &req)
            .run(async { data_source::validate_data_resource_config(s, req) })
            .await
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("ReadDataSource", &req.type_name, &req)
            .run(data_source::read_data_source(s, req))
            .await
    }

    // ----- list resources -----

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        Call::new("ValidateListResourceConfig", &req.type_name, &req)
            .run(async { list::validate_list_resource_config(s, req) })
            .await
    }

    type ListResourceStream = EventStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        let req = req.into_inner();
        let s = &self.server;
        // The framework lists eagerly; the events are collected here and streamed out.
        let events = Call::new("ListResource", &req.type_name, &req)
            .run(list::list_resource(s, req).map(|events| ListEvents { events }))
            .await?
            .into_inner()
            .events;
        let stream: Self::ListResourceStream =
            Box::pin(futures::stream::iter(events.into_iter().map(Ok)));
        Ok(Response::new(stream))
    }

    // ----- not supported: ephemeral resources -----

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let diagnostics =
            unsupported::not_supported("Ephemeral Resource", &req.get_ref().type_name);
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response { diagnostics },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        req: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let diagnostics =
            unsupported::not_supported("Ephemeral Resource", &req.get_ref().type_name);
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics,
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        req: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let diagnostics =
            unsupported::not_supported("Ephemeral Resource", &req.get_ref().type_name);
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics,
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        req: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let diagnostics =
            unsupported::not_supported("Ephemeral Resource", &req.get_ref().type_name);
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics,
        }))
    }

    // ----- not supported: state stores -----

    async fn validate_state_store_config(
        &self,
        req: Request<pb::validate_state_store::Request>,
    ) -> Result<Response<pb::validate_state_store::Response>, Status> {
        let diagnostics = unsupported::not_supported("State Store", &req.get_ref().type_name);
        Ok(Response::new(pb::validate_state_store::Response {
            diagnostics,
        }))
    }

    async fn configure_state_store(
        &self,
        req: Request<pb::configure_state_store::Request>,
    ) -> Result<Response<pb::configure_state_store::Response>, Status> {
        let diagnostics = unsupported::not_supported("State Store", &req.get_ref().type_name);
        Ok(Response::new(pb::configure_state_store::Response {
            diagnostics,
        }))
    }

    type ReadStateBytesStream = EventStream<pb::read_state_bytes::Response>;

    async fn read_state_bytes(
        &self,
        req: Request<pb::read_state_bytes::Request>,
    ) -> Result<Response<Self::ReadStateBytesStream>, Status> {
        let diagnostics = unsupported::not_supported("State Store", &req.get_ref().type_name);
        Ok(Response::new(once(pb::read_state_bytes::Response {
            diagnostics,
        })))
    }

    async fn write_state_bytes(
        &self,
        _req: Request<Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Result<Response<pb::write_state_bytes::Response>, Status> {
        let diagnostics = unsupported::not_supported("State Store", "");
        Ok(Response::new(pb::write_state_bytes::Response {
            diagnostics,
        }))
    }

    async fn get_states(
        &self,
        req: Request<pb::get_states::Request>,
    ) -> Result<Response<pb::get_states::Response>, Status> {
        let diagnostics = unsupported::not_supported("State Store", &req.get_ref().type_name);
        Ok(Response::new(pb::get_states::Response { diagnostics }))
    }

    async fn delete_state(
        &self,
        req: Request<pb::delete_state::Request>,
    ) -> Result<Response<pb::delete_state::Response>, Status> {
        let diagnostics = unsupported::not_supported("State Store", &req.get_ref().type_name);
        Ok(Response::new(pb::delete_state::Response { diagnostics }))
    }

    // ----- not supported: actions -----

    async fn plan_action(
        &self,
        req: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        let diagnostics = unsupported::not_supported("Action", &req.get_ref().action_type);
        Ok(Response::new(pb::plan_action::Response { diagnostics }))
    }

    type InvokeActionStream = EventStream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        req: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        use pb::invoke_action::event::{Completed, Type};
        let diagnostics = unsupported::not_supported("Action", &req.get_ref().action_type);
        Ok(Response::new(once(pb::invoke_action::Event {
            r#type: Some(Type::Completed(Completed { diagnostics })),
        })))
    }

    async fn validate_action_config(
        &self,
        req: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        let diagnostics = unsupported::not_supported("Action", &req.get_ref().type_name);
        Ok(Response::new(pb::validate_action_config::Response {
            diagnostics,
        }))
    }
}

/// The list events as one message, so `serve` can log their total size like any response.
#[derive(Clone, PartialEq, prost::Message)]
struct ListEvents {
    #[prost(message, repeated, tag = "1")]
    events: Vec<pb::list_resource::Event>,
}
