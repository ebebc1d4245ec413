//! The Provider gRPC service in-process: schemas, capabilities, stop, message limits, msgpack plan/apply,
//! list streaming, and diagnostics (never panics or statuses) for bad input.
//!
//! Values travel as msgpack fixtures written out byte by byte, and responses are read back with `rmpv`, so
//! these tests pin the wire format independently of the framework's codec.

use std::sync::Arc;

use async_trait::async_trait;
use hyper_util::rt::TokioIo;
use rmpv::Value as Mp;
use tempfile::TempDir;
use tfcf::framework::{
    Attribute, Ctx, DataSource, Diagnostics, IdentityAttribute, IdentitySchema, ListItem,
    ListResource, PlanContext, Provider, ProviderData, Resource, Schema, Server, Type, Value,
};
use tfcf::protocol::proto::health as hpb;
use tfcf::protocol::proto::plugin as ppb;
use tfcf::protocol::proto::tfplugin6 as pb;
use tokio::net::{UnixListener, UnixStream};
use tokio_stream::wrappers::UnixListenerStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::{Channel, Endpoint, Uri};

// ----- the test provider ---------------------------------------------------------------------------

struct TestProvider;

#[async_trait]
impl Provider for TestProvider {
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            "A provider for tests.",
            vec![Attribute::string("api_token")
                .optional()
                .sensitive()
                .description("The token.")],
        )
    }
    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        if config.get("api_token").is_null() {
            diags.warning(
                "No Token",
                "The provider has no api_token; it will read the env.",
            );
        }
    }
    async fn configure(
        &self,
        _tf: &str,
        _config: &Value,
        _cancel: CancellationToken,
        _diags: &mut Diagnostics,
    ) -> Option<ProviderData> {
        Some(Arc::new(()))
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Thing)]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Info)]
    }
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        vec![Arc::new(ThingList)]
    }
}

/// `test_thing`: id (computed, kept), name (forces replacement), description, a nested `settings`
/// object with a computed `mode`, and a number `size`.
struct Thing;

fn thing_identity(id: &str) -> Value {
    Value::object([("id", Value::string(id))])
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &'static str {
        "test_thing"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            500,
            "A **thing**.",
            vec![
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .description("The ID."),
                Attribute::string("name")
                    .required()
                    .requires_replace()
                    .description("The name. Changing this forces a new resource."),
                Attribute::string("description")
                    .optional()
                    .description("A description."),
                Attribute::object(
                    "settings",
                    vec![
                        Attribute::bool("enabled")
                            .optional()
                            .description("Whether it is on."),
                        Attribute::string("mode")
                            .computed()
                            .description("The mode the API chose."),
                    ],
                )
                .optional()
                .description("Settings."),
                Attribute::number("size")
                    .optional()
                    .description("The size."),
            ],
        )
    }
    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema {
            version: 1,
            attributes: vec![IdentityAttribute {
                name: "id".into(),
                ty: Type::String,
                required_for_import: true,
                optional_for_import: false,
                description: "The ID.".into(),
            }],
        })
    }
    fn modify_plan(&self, _ctx: &PlanContext<'_>, _planned: &mut Value, _diags: &mut Diagnostics) {}
    async fn read(&self, _ctx: &Ctx, state: &Value, _diags: &mut Diagnostics) -> Value {
        state.clone()
    }
    async fn create(
        &self,
        _ctx: &Ctx,
        planned: &Value,
        _config: &Value,
        _diags: &mut Diagnostics,
    ) -> Value {
        let mut s = planned.clone();
        s.set("id", Value::string("thing-1"));
        if let Some(settings) = s.get_mut("settings") {
            settings.set("mode", Value::string("default"));
        }
        s
    }
    async fn update(
        &self,
        _ctx: &Ctx,
        _prior: &Value,
        planned: &Value,
        _config: &Value,
        _diags: &mut Diagnostics,
    ) -> Value {
        planned.clone()
    }
    async fn delete(&self, _ctx: &Ctx, _prior: &Value, _diags: &mut Diagnostics) {}
    async fn import(&self, _ctx: &Ctx, id: &str, _diags: &mut Diagnostics) -> Value {
        Value::object([
            ("id", Value::string(id)),
            ("name", Value::string("imported")),
            ("description", Value::Null),
            ("settings", Value::Null),
        ])
    }
    fn identity(&self, state: &Value) -> Option<Value> {
        state.get("id").as_str().map(thing_identity)
    }
    fn import_id_from_identity(&self, identity: &Value) -> Option<String> {
        identity.get("id").as_str().map(str::to_string)
    }
}

/// `test_info`: echoes `name` into `value`.
struct Info;

#[async_trait]
impl DataSource for Info {
    fn type_name(&self) -> &'static str {
        "test_info"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            "Info.",
            vec![
                Attribute::string("name")
                    .required()
                    .description("The name."),
                Attribute::string("value")
                    .computed()
                    .description("The value."),
            ],
        )
    }
    async fn read(&self, _ctx: &Ctx, config: &Value, _diags: &mut Diagnostics) -> Value {
        let name = config.get("name").clone();
        Value::object([("name", name.clone()), ("value", name)])
    }
}

/// `test_thing` list resource: two things, and a warning.
struct ThingList;

#[async_trait]
impl ListResource for ThingList {
    fn type_name(&self) -> &'static str {
        "test_thing"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            "Lists things.",
            vec![Attribute::string("prefix")
                .optional()
                .description("Only names with this prefix.")],
        )
    }
    async fn list(
        &self,
        _ctx: &Ctx,
        _config: &Value,
        include_resource_object: bool,
        _limit: i64,
        diags: &mut Diagnostics,
    ) -> Vec<ListItem> {
        diags.warning("Partial Listing", "Only the first page was read.");
        ["thing-1", "thing-2"]
            .into_iter()
            .map(|id| ListItem {
                identity: thing_identity(id),
                display_name: format!("Thing {id}"),
                resource_object: include_resource_object.then(|| {
                    Value::object([
                        ("id", Value::string(id)),
                        ("name", Value::string(id)),
                        ("description", Value::Null),
                        ("settings", Value::Null),
                    ])
                }),
            })
            .collect()
    }
}

// ----- harness ---------------------------------------------------------------------------------------

/// A server on a unix socket in a temp dir, with clients for every service.
struct Harness {
    provider: pb::provider_client::ProviderClient<Channel>,
    channel: Channel,
    shutdown: CancellationToken,
    served: tokio::task::JoinHandle<Result<(), tfcf::protocol::ServeError>>,
    _dir: TempDir,
}

impl Harness {
    async fn start() -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("plugin.sock");
        let listener = UnixListener::bind(&path).expect("bind");
        let server = Arc::new(Server::new(Arc::new(TestProvider)));
        let shutdown = CancellationToken::new();
        let served = tokio::spawn(tfcf::protocol::serve_connections(
            server,
            UnixListenerStream::new(listener),
            shutdown.clone(),
        ));
        let channel = Endpoint::try_from("http://localhost")
            .expect("endpoint")
            .connect_with_connector(tower::service_fn(move |_: Uri| {
                let path = path.clone();
                async move { UnixStream::connect(path).await.map(TokioIo::new) }
            }))
            .await
            .expect("connect");
        let provider = pb::provider_client::ProviderClient::new(channel.clone())
            .max_decoding_message_size(64 << 20)
            .max_encoding_message_size(64 << 20);
        Harness {
            provider,
            channel,
            shutdown,
            served,
            _dir: dir,
        }
    }

    async fn configure(&mut self) {
        let resp = self
            .provider
            .configure_provider(pb::configure_provider::Request {
                terraform_version: "1.15.5".into(),
                config: None,
                client_capabilities: None,
            })
            .await
            .expect("configure")
            .into_inner();
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    }
}

impl Harness {
    /// PlanResourceChange of a create, with Terraform's proposed new state equal to the config.
    async fn plan_create(&mut self, config: &[u8]) -> pb::plan_resource_change::Response {
        self.provider
            .plan_resource_change(pb::plan_resource_change::Request {
                type_name: "test_thing".into(),
                prior_state: msgpack(NIL),
                proposed_new_state: msgpack(config),
                config: msgpack(config),
                ..Default::default()
            })
            .await
            .expect("PlanResourceChange")
            .into_inner()
    }

    /// ApplyResourceChange of a create.
    async fn apply_create(
        &mut self,
        planned: &[u8],
        config: &[u8],
    ) -> pb::apply_resource_change::Response {
        self.provider
            .apply_resource_change(pb::apply_resource_change::Request {
                type_name: "test_thing".into(),
                prior_state: msgpack(NIL),
                planned_state: msgpack(planned),
                config: msgpack(config),
                ..Default::default()
            })
            .await
            .expect("ApplyResourceChange")
            .into_inner()
    }
}

fn msgpack(bytes: &[u8]) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: bytes.to_vec(),
        json: Vec::new(),
    })
}

/// Reads a response value back as generic msgpack.
fn read_mp(dv: Option<&pb::DynamicValue>) -> Mp {
    let dv = dv.expect("a value");
    assert!(dv.json.is_empty(), "responses are always msgpack");
    let mut bytes = dv.msgpack.as_slice();
    let v = rmpv::decode::read_value(&mut bytes).expect("valid msgpack");
    assert!(bytes.is_empty(), "trailing bytes");
    v
}

fn mp(bytes: &[u8]) -> Mp {
    rmpv::decode::read_value(&mut &bytes[..]).expect("valid fixture")
}

fn summaries(diags: &[pb::Diagnostic]) -> Vec<&str> {
    diags.iter().map(|d| d.summary.as_str()).collect()
}

fn errors(diags: &[pb::Diagnostic]) -> Vec<&pb::Diagnostic> {
    diags
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .collect()
}

fn attr_path(names: &[&str]) -> pb::AttributePath {
    pb::AttributePath {
        steps: names
            .iter()
            .map(|n| pb::attribute_path::Step {
                selector: Some(pb::attribute_path::step::Selector::AttributeName(
                    n.to_string(),
                )),
            })
            .collect(),
    }
}

// msgpack fixtures of `test_thing` (keys in sorted order, every attribute present, as Terraform sends).
// d4 00 00 is an unknown value; c0 is null.

/// Config on create: name "a", settings.enabled true.
const CONFIG_A: &[u8] = b"\x85\xabdescription\xc0\xa2id\xc0\xa4name\xa1a\
\xa8settings\x82\xa7enabled\xc3\xa4mode\xc0\xa4size\xc0";
/// The plan of that create: id and settings.mode unknown.
const PLANNED_A: &[u8] = b"\x85\xabdescription\xc0\xa2id\xd4\x00\x00\xa4name\xa1a\
\xa8settings\x82\xa7enabled\xc3\xa4mode\xd4\x00\x00\xa4size\xc0";
/// The state after create.
const STATE_A: &[u8] = b"\x85\xabdescription\xc0\xa2id\xa7thing-1\xa4name\xa1a\
\xa8settings\x82\xa7enabled\xc3\xa4mode\xa7default\xa4size\xc0";
/// Config renaming it to "b".
const CONFIG_B: &[u8] = b"\x85\xabdescription\xc0\xa2id\xc0\xa4name\xa1b\
\xa8settings\x82\xa7enabled\xc3\xa4mode\xc0\xa4size\xc0";
/// Terraform's proposed new state for the rename (config merged with prior computed values).
const PROPOSED_B: &[u8] = b"\x85\xabdescription\xc0\xa2id\xa7thing-1\xa4name\xa1b\
\xa8settings\x82\xa7enabled\xc3\xa4mode\xa7default\xa4size\xc0";
/// The plan of the rename: id kept (use_state_for_unknown), mode unknown again.
const PLANNED_B: &[u8] = b"\x85\xabdescription\xc0\xa2id\xa7thing-1\xa4name\xa1b\
\xa8settings\x82\xa7enabled\xc3\xa4mode\xd4\x00\x00\xa4size\xc0";
/// Identity {id = "thing-1"}.
const IDENTITY_1: &[u8] = b"\x81\xa2id\xa7thing-1";

/// msgpack nil.
const NIL: &[u8] = &[0xc0];
/// A plain unknown (ext 0).
const UNKNOWN: &[u8] = &[0xd4, 0x00, 0x00];

/// A `test_thing` object named "a", from the msgpack of each other attribute.
fn thing(description: &[u8], id: &[u8], settings: &[u8], size: &[u8]) -> Vec<u8> {
    let parts: [&[u8]; 9] = [
        b"\x85\xabdescription",
        description,
        b"\xa2id",
        id,
        b"\xa4name\xa1a",
        b"\xa8settings",
        settings,
        b"\xa4size",
        size,
    ];
    parts.concat()
}

/// Attribute `name` of a decoded msgpack object.
fn attr<'a>(v: &'a Mp, name: &str) -> &'a Mp {
    v.as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some(name)))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no attribute {name} in {v}"))
}

// ----- schemas and metadata --------------------------------------------------------------------------

/// GetProviderSchema describes nested attributes, modes, Markdown descriptions, versions and capabilities.
#[tokio::test]
async fn provider_schema_has_nested_attributes_descriptions_and_capabilities() {
    let mut h = Harness::start().await;
    let resp = h
        .provider
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetProviderSchema")
        .into_inner();
    assert!(resp.diagnostics.is_empty());

    let provider = resp.provider.expect("provider schema is always set");
    let token = &provider.block.as_ref().expect("block").attributes[0];
    assert_eq!(token.name, "api_token");
    assert!(token.optional && token.sensitive && !token.required && !token.computed);

    let thing = &resp.resource_schemas["test_thing"];
    assert_eq!(thing.version, 500);
    let block = thing.block.as_ref().expect("block");
    assert_eq!(block.description, "A **thing**.");
    assert_eq!(block.description_kind, pb::StringKind::Markdown as i32);
    let attr = |n: &str| {
        block
            .attributes
            .iter()
            .find(|a| a.name == n)
            .unwrap_or_else(|| panic!("attribute {n}"))
    };
    assert_eq!(attr("name").r#type, b"\"string\"");
    assert!(attr("name").required);
    assert!(attr("id").computed && !attr("id").optional);
    assert_eq!(attr("id").description, "The ID.");
    assert_eq!(attr("id").description_kind, pb::StringKind::Markdown as i32);
    let settings = attr("settings");
    assert!(settings.r#type.is_empty(), "nested attributes have no type");
    let nested = settings.nested_type.as_ref().expect("nested_type");
    assert_eq!(
        nested.nesting,
        pb::schema::object::NestingMode::Single as i32
    );
    let mode = nested
        .attributes
        .iter()
        .find(|a| a.name == "mode")
        .expect("mode");
    assert!(mode.computed && mode.r#type == b"\"string\"");

    assert!(resp.data_source_schemas.contains_key("test_info"));
    assert!(resp.list_resource_schemas.contains_key("test_thing"));
    assert!(resp.functions.is_empty());
    let caps = resp.server_capabilities.expect("capabilities");
    assert!(caps.plan_destroy);
    assert!(caps.get_provider_schema_optional);
    assert!(caps.generate_resource_config);
    assert!(caps.move_resource_state);
}

/// GetMetadata lists every resource, data source and list resource; identity schemas are served.
#[tokio::test]
async fn metadata_and_identity_schemas_list_every_type() {
    let mut h = Harness::start().await;
    let meta = h
        .provider
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("GetMetadata")
        .into_inner();
    assert_eq!(meta.resources[0].type_name, "test_thing");
    assert_eq!(meta.data_sources[0].type_name, "test_info");
    assert_eq!(meta.list_resources[0].type_name, "test_thing");
    assert!(meta.server_capabilities.expect("caps").plan_destroy);

    let ids = h
        .provider
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .expect("GetResourceIdentitySchemas")
        .into_inner();
    let thing = &ids.identity_schemas["test_thing"];
    assert_eq!(thing.version, 1);
    assert_eq!(thing.identity_attributes[0].name, "id");
    assert!(thing.identity_attributes[0].required_for_import);
}

// ----- lifecycle ---------------------------------------------------------------------------------------

/// StopProvider answers with an empty Error and the server keeps answering.
#[tokio::test]
async fn stop_provider_answers_empty_and_the_server_keeps_serving() {
    let mut h = Harness::start().await;
    let stop = h
        .provider
        .stop_provider(pb::stop_provider::Request {})
        .await
        .expect("StopProvider")
        .into_inner();
    assert_eq!(stop.error, "");
    h.provider
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("still serving after StopProvider");
}

/// The health check answers SERVING for "plugin", and GRPCController/Shutdown ends the server.
#[tokio::test]
async fn health_is_serving_and_shutdown_stops_the_server() {
    let h = Harness::start().await;
    let mut health = hpb::health_client::HealthClient::new(h.channel.clone());
    let status = health
        .check(hpb::HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("Check")
        .into_inner()
        .status;
    assert_eq!(
        status,
        hpb::health_check_response::ServingStatus::Serving as i32
    );
    let mut controller = ppb::grpc_controller_client::GrpcControllerClient::new(h.channel.clone());
    controller.shutdown(ppb::Empty {}).await.expect("Shutdown");
    assert!(h.shutdown.is_cancelled());
    let served = tokio::time::timeout(std::time::Duration::from_secs(2), h.served)
        .await
        .expect("server stops promptly after Shutdown")
        .expect("join");
    assert!(served.is_ok(), "{served:?}");
}

// ----- wire contract -------------------------------------------------------------------------------------

/// The ValidateProviderConfig response carries its diagnostics in field 2 (the other Validate responses
/// use 1). Read with a message that has both fields, so our own .proto can't hide a mistake.
#[tokio::test]
async fn validate_provider_config_response_uses_field_2_for_diagnostics() {
    #[derive(Clone, PartialEq, prost::Message)]
    struct EitherField {
        #[prost(message, repeated, tag = "1")]
        field_1: Vec<pb::Diagnostic>,
        #[prost(message, repeated, tag = "2")]
        field_2: Vec<pb::Diagnostic>,
    }
    let h = Harness::start().await;
    let mut grpc = tonic::client::Grpc::new(h.channel.clone());
    grpc.ready().await.expect("ready");
    let path = tonic::codegen::http::uri::PathAndQuery::from_static(
        "/tfplugin6.Provider/ValidateProviderConfig",
    );
    let codec =
        tonic_prost::ProstCodec::<pb::validate_provider_config::Request, EitherField>::default();
    // A null config: the test provider warns that there is no token.
    let resp = grpc
        .unary(
            tonic::Request::new(pb::validate_provider_config::Request { config: None }),
            path,
            codec,
        )
        .await
        .expect("ValidateProviderConfig")
        .into_inner();
    assert!(resp.field_1.is_empty());
    assert_eq!(summaries(&resp.field_2), ["No Token"]);
}

/// Values that don't decode become an "Invalid Request Value" diagnostic, not a status or a panic.
#[tokio::test]
async fn undecodable_values_are_diagnostics() {
    let mut h = Harness::start().await;
    // 0xc1 is never valid msgpack.
    let resp = h
        .provider
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "test_thing".into(),
            config: msgpack(&[0xc1]),
            client_capabilities: None,
        })
        .await
        .expect("a response, not a status")
        .into_inner();
    let errs: Vec<&str> = errors(&resp.diagnostics)
        .iter()
        .map(|d| d.summary.as_str())
        .collect();
    assert_eq!(errs, ["Invalid Request Value"]);

    // Read hands the state Terraform sent back unchanged, so nothing is dropped from state.
    let resp = h
        .provider
        .read_resource(pb::read_resource::Request {
            type_name: "test_thing".into(),
            current_state: msgpack(&[0xc1]),
            ..Default::default()
        })
        .await
        .expect("a response")
        .into_inner();
    assert_eq!(resp.new_state, msgpack(&[0xc1]));
    assert!(!errors(&resp.diagnostics).is_empty());
}

/// An unknown type name gets the framework's diagnostic from every RPC, never a panic or a status.
#[tokio::test]
async fn unknown_type_names_are_diagnostics() {
    let mut h = Harness::start().await;
    h.configure().await;
    let p = &mut h.provider;
    let t = || "nope_thing".to_string();
    let mut all = Vec::new();
    all.push(
        p.validate_resource_config(pb::validate_resource_config::Request {
            type_name: t(),
            config: msgpack(CONFIG_A),
            client_capabilities: None,
        })
        .await
        .expect("validate")
        .into_inner()
        .diagnostics,
    );
    all.push(
        p.plan_resource_change(pb::plan_resource_change::Request {
            type_name: t(),
            prior_state: msgpack(&[0xc0]),
            proposed_new_state: msgpack(CONFIG_A),
            config: msgpack(CONFIG_A),
            ..Default::default()
        })
        .await
        .expect("plan")
        .into_inner()
        .diagnostics,
    );
    let apply = p
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: t(),
            prior_state: msgpack(STATE_A),
            planned_state: msgpack(STATE_A),
            config: msgpack(CONFIG_A),
            ..Default::default()
        })
        .await
        .expect("apply")
        .into_inner();
    assert_eq!(apply.new_state, msgpack(STATE_A), "prior state kept");
    all.push(apply.diagnostics);
    all.push(
        p.read_resource(pb::read_resource::Request {
            type_name: t(),
            current_state: msgpack(STATE_A),
            ..Default::default()
        })
        .await
        .expect("read")
        .into_inner()
        .diagnostics,
    );
    all.push(
        p.import_resource_state(pb::import_resource_state::Request {
            type_name: t(),
            id: "x".into(),
            ..Default::default()
        })
        .await
        .expect("import")
        .into_inner()
        .diagnostics,
    );
    all.push(
        p.upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: t(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: b"{}".to_vec(),
                ..Default::default()
            }),
        })
        .await
        .expect("upgrade")
        .into_inner()
        .diagnostics,
    );
    all.push(
        p.read_data_source(pb::read_data_source::Request {
            type_name: t(),
            config: msgpack(&[0x80]),
            ..Default::default()
        })
        .await
        .expect("read data source")
        .into_inner()
        .diagnostics,
    );
    all.push(
        p.validate_list_resource_config(pb::validate_list_resource_config::Request {
            type_name: t(),
            ..Default::default()
        })
        .await
        .expect("validate list")
        .into_inner()
        .diagnostics,
    );
    for diags in &all {
        let errs = errors(diags);
        assert_eq!(errs.len(), 1, "{diags:?}");
        assert!(errs[0].summary.starts_with("Unknown "), "{diags:?}");
        assert!(errs[0].detail.contains("nope_thing"));
    }
}

/// Unsupported features answer with an error diagnostic (or a function error), not Unimplemented.
#[tokio::test]
async fn unsupported_features_are_explained() {
    let mut h = Harness::start().await;
    let open = h
        .provider
        .open_ephemeral_resource(pb::open_ephemeral_resource::Request {
            type_name: "test_secret".into(),
        })
        .await
        .expect("OpenEphemeralResource")
        .into_inner();
    assert_eq!(
        summaries(&open.diagnostics),
        ["Ephemeral Resource Not Supported"]
    );
    let call = h
        .provider
        .call_function(pb::call_function::Request {
            name: "parse_id".into(),
            arguments: Vec::new(),
        })
        .await
        .expect("CallFunction")
        .into_inner();
    assert!(call
        .error
        .expect("function error")
        .text
        .contains("no functions"));
    let functions = h
        .provider
        .get_functions(pb::get_functions::Request {})
        .await
        .expect("GetFunctions")
        .into_inner();
    assert!(functions.functions.is_empty());
    let flatmap = h
        .provider
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "test_thing".into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: Vec::new(),
                flatmap: [("id".to_string(), "x".to_string())].into(),
            }),
        })
        .await
        .expect("UpgradeResourceState")
        .into_inner();
    assert_eq!(
        summaries(&flatmap.diagnostics),
        ["Unsupported State Format"]
    );
}

// ----- message limits ----------------------------------------------------------------------------------

fn config_with_description(description: &str) -> Vec<u8> {
    // {"description": <str32>, "id": nil, "name": "a", "settings": nil, "size": nil}
    let mut b = b"\x85\xabdescription\xdb".to_vec();
    b.extend_from_slice(&(description.len() as u32).to_be_bytes());
    b.extend_from_slice(description.as_bytes());
    b.extend_from_slice(b"\xa2id\xc0\xa4name\xa1a\xa8settings\xc0\xa4size\xc0");
    b
}

/// A request over tonic's 4 MiB default gets through the transport (no OutOfRange status).
#[tokio::test]
async fn a_5_mb_request_is_not_refused_by_the_transport() {
    let mut h = Harness::start().await;
    let config = config_with_description(&"x".repeat(5_000_000));
    let resp = h
        .provider
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "test_thing".into(),
            config: msgpack(&config),
            client_capabilities: None,
        })
        .await;
    assert!(resp.is_ok(), "{:?}", resp.err());
}

/// A 5 MB string attribute is accepted and validated, and a 10 MB response goes back out.
/// Needs the real msgpack codec.
#[tokio::test]
async fn a_5_mb_string_attribute_is_accepted_both_ways() {
    let mut h = Harness::start().await;
    let big = "x".repeat(5_000_000);
    let resp = h
        .provider
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "test_thing".into(),
            config: msgpack(&config_with_description(&big)),
            client_capabilities: None,
        })
        .await
        .expect("ValidateResourceConfig")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);

    h.configure().await;
    // {"name": <5 MB>, "value": nil} → the data source echoes name into value: a 10 MB response.
    let mut config = b"\x82\xa4name\xdb".to_vec();
    config.extend_from_slice(&(big.len() as u32).to_be_bytes());
    config.extend_from_slice(big.as_bytes());
    config.extend_from_slice(b"\xa5value\xc0");
    let resp = h
        .provider
        .read_data_source(pb::read_data_source::Request {
            type_name: "test_info".into(),
            config: msgpack(&config),
            ..Default::default()
        })
        .await
        .expect("ReadDataSource")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let state = read_mp(resp.state.as_ref());
    let value = state
        .as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some("value")))
        .and_then(|(_, v)| v.as_str())
        .expect("value");
    assert_eq!(value.len(), big.len());
}

// ----- plan and apply with msgpack (need the real codec) ---------------------------------------------------

/// Create: computed attributes (also inside a configured nested object) are planned unknown.
#[tokio::test]
async fn plan_create_marks_computed_attributes_unknown() {
    let mut h = Harness::start().await;
    let resp = h
        .provider
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: msgpack(&[0xc0]),
            proposed_new_state: msgpack(CONFIG_A),
            config: msgpack(CONFIG_A),
            ..Default::default()
        })
        .await
        .expect("PlanResourceChange")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(read_mp(resp.planned_state.as_ref()), mp(PLANNED_A));
    assert!(resp.requires_replace.is_empty());
    assert!(resp.deferred.is_none());
    assert!(!resp.legacy_type_system);
}

/// Apply of that create: a wholly known state, and its identity.
#[tokio::test]
async fn apply_create_returns_the_new_state_and_identity() {
    let mut h = Harness::start().await;
    h.configure().await;
    let resp = h
        .provider
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: msgpack(&[0xc0]),
            planned_state: msgpack(PLANNED_A),
            config: msgpack(CONFIG_A),
            ..Default::default()
        })
        .await
        .expect("ApplyResourceChange")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(read_mp(resp.new_state.as_ref()), mp(STATE_A));
    let identity = resp.new_identity.expect("identity");
    assert_eq!(read_mp(identity.identity_data.as_ref()), mp(IDENTITY_1));
}

/// Renaming plans a replacement: `requires_replace` names the path; the id is kept, mode unknown again.
#[tokio::test]
async fn plan_update_of_a_requires_replace_attribute_names_its_path() {
    let mut h = Harness::start().await;
    let resp = h
        .provider
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: msgpack(STATE_A),
            proposed_new_state: msgpack(PROPOSED_B),
            config: msgpack(CONFIG_B),
            prior_identity: Some(pb::ResourceIdentityData {
                identity_data: msgpack(IDENTITY_1),
            }),
            ..Default::default()
        })
        .await
        .expect("PlanResourceChange")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(read_mp(resp.planned_state.as_ref()), mp(PLANNED_B));
    assert_eq!(resp.requires_replace, [attr_path(&["name"])]);
}

/// Destroy: the planned state is null (msgpack nil).
#[tokio::test]
async fn plan_destroy_is_null() {
    let mut h = Harness::start().await;
    let resp = h
        .provider
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: msgpack(STATE_A),
            proposed_new_state: msgpack(&[0xc0]),
            config: msgpack(&[0xc0]),
            ..Default::default()
        })
        .await
        .expect("PlanResourceChange")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(read_mp(resp.planned_state.as_ref()), Mp::Nil);
}

/// Read refreshes state (here unchanged) and returns the identity; import by ID returns one object.
#[tokio::test]
async fn read_and_import_return_state_and_identity() {
    let mut h = Harness::start().await;
    h.configure().await;
    let read = h
        .provider
        .read_resource(pb::read_resource::Request {
            type_name: "test_thing".into(),
            current_state: msgpack(STATE_A),
            private: b"p".to_vec(),
            ..Default::default()
        })
        .await
        .expect("ReadResource")
        .into_inner();
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    assert_eq!(read_mp(read.new_state.as_ref()), mp(STATE_A));
    assert_eq!(read.private, b"p");
    assert_eq!(
        read_mp(read.new_identity.expect("identity").identity_data.as_ref()),
        mp(IDENTITY_1)
    );

    let import = h
        .provider
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "test_thing".into(),
            id: "thing-9".into(),
            ..Default::default()
        })
        .await
        .expect("ImportResourceState")
        .into_inner();
    assert!(import.diagnostics.is_empty(), "{:?}", import.diagnostics);
    assert_eq!(import.imported_resources.len(), 1);
    let r = &import.imported_resources[0];
    assert_eq!(r.type_name, "test_thing");
    assert_eq!(
        read_mp(r.state.as_ref()),
        mp(b"\x85\xabdescription\xc0\xa2id\xa7thing-9\xa4name\xa8imported\xa8settings\xc0\xa4size\xc0")
    );
}

/// UpgradeResourceState reads stored JSON and answers msgpack of the current schema (missing keys null).
#[tokio::test]
async fn upgrade_resource_state_turns_json_into_msgpack() {
    let mut h = Harness::start().await;
    let resp = h
        .provider
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "test_thing".into(),
            version: 500,
            raw_state: Some(pb::RawState {
                json: br#"{"id":"thing-1","name":"a","settings":{"enabled":true,"mode":"default"},"gone":1}"#
                    .to_vec(),
                ..Default::default()
            }),
        })
        .await
        .expect("UpgradeResourceState")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(read_mp(resp.upgraded_state.as_ref()), mp(STATE_A));
}

/// A refined unknown (ext 12: not null, prefix "abc") or a plain unknown in config is planned unknown,
/// and written back byte for byte.
#[tokio::test]
async fn plan_keeps_configured_unknowns_and_their_refinements() {
    let mut h = Harness::start().await;
    // fixext8, ext type 12, payload {1: false, 2: "abc"}.
    const REFINED: &[u8] = &[0xd7, 0x0c, 0x82, 0x01, 0xc2, 0x02, 0xa3, b'a', b'b', b'c'];
    assert_eq!(
        mp(REFINED),
        Mp::Ext(12, vec![0x82, 0x01, 0xc2, 0x02, 0xa3, b'a', b'b', b'c'])
    );
    for description in [REFINED, UNKNOWN] {
        let config = thing(description, NIL, NIL, NIL);
        let resp = h.plan_create(&config).await;
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
        let planned = resp.planned_state.as_ref().expect("planned state");
        assert_eq!(planned.msgpack, thing(description, UNKNOWN, NIL, NIL));
        assert_eq!(
            attr(&read_mp(Some(planned)), "description"),
            &mp(description)
        );
    }
}

/// A number beyond i64, a 30-digit decimal string and 0.1 come back from plan and apply as exactly the
/// same number, in the form go-cty writes it (int64, else exact float64, else decimal string).
#[tokio::test]
async fn big_and_fractional_numbers_survive_plan_and_apply() {
    let mut h = Harness::start().await;
    h.configure().await;
    let cases: [(&[u8], &[u8]); 3] = [
        // u64::MAX as uint64: neither an int64 nor an exact float64, so it comes back as its decimal string.
        (
            &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            b"\xb418446744073709551615",
        ),
        (
            b"\xbe123456789012345678901234567890",
            b"\xbe123456789012345678901234567890",
        ),
        // 0.1 as float64.
        (
            &[0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a],
            &[0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a],
        ),
    ];
    for (sent, echoed) in cases {
        let config = thing(NIL, NIL, NIL, sent);
        let plan = h.plan_create(&config).await;
        assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
        let planned = plan.planned_state.expect("planned state").msgpack;
        assert_eq!(planned, thing(NIL, UNKNOWN, NIL, echoed));
        let size = read_mp(msgpack(&planned).as_ref());
        let size = attr(&size, "size");
        match mp(sent) {
            Mp::Integer(i) => assert_eq!(
                size.as_str().and_then(|s| s.parse::<u64>().ok()),
                i.as_u64()
            ),
            other => assert_eq!(size, &other),
        }

        let apply = h.apply_create(&planned, &config).await;
        assert!(apply.diagnostics.is_empty(), "{:?}", apply.diagnostics);
        assert_eq!(
            apply.new_state.expect("new state").msgpack,
            thing(NIL, b"\xa7thing-1", NIL, echoed)
        );
    }
}

/// An optional nested object left null plans and applies as null (not an object of nulls), and a null
/// attribute inside a configured object stays null.
#[tokio::test]
async fn null_nested_objects_and_attributes_stay_null() {
    let mut h = Harness::start().await;
    h.configure().await;

    let config = thing(NIL, NIL, NIL, NIL);
    let plan = h.plan_create(&config).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    let planned = plan.planned_state.expect("planned state").msgpack;
    assert_eq!(planned, thing(NIL, UNKNOWN, NIL, NIL));
    assert_eq!(
        attr(&read_mp(msgpack(&planned).as_ref()), "settings"),
        &Mp::Nil
    );
    let apply = h.apply_create(&planned, &config).await;
    assert!(apply.diagnostics.is_empty(), "{:?}", apply.diagnostics);
    assert_eq!(
        apply.new_state.expect("new state").msgpack,
        thing(NIL, b"\xa7thing-1", NIL, NIL)
    );

    // settings = {} : enabled null, mode computed.
    let config = thing(NIL, NIL, b"\x82\xa7enabled\xc0\xa4mode\xc0", NIL);
    let plan = h.plan_create(&config).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    let planned = plan.planned_state.expect("planned state").msgpack;
    assert_eq!(
        planned,
        thing(
            NIL,
            UNKNOWN,
            b"\x82\xa7enabled\xc0\xa4mode\xd4\x00\x00",
            NIL
        )
    );
    let apply = h.apply_create(&planned, &config).await;
    assert!(apply.diagnostics.is_empty(), "{:?}", apply.diagnostics);
    let state = read_mp(apply.new_state.as_ref());
    assert_eq!(attr(attr(&state, "settings"), "enabled"), &Mp::Nil);
    assert_eq!(
        state,
        mp(&thing(
            NIL,
            b"\xa7thing-1",
            b"\x82\xa7enabled\xc0\xa4mode\xa7default",
            NIL
        ))
    );
}

/// UpgradeResourceIdentity turns stored identity JSON into msgpack, and answers a newer identity version
/// or an unknown type name with an error diagnostic.
#[tokio::test]
async fn upgrade_resource_identity_reads_json_and_refuses_what_it_cannot() {
    let h = Harness::start().await;
    let upgrade = |type_name: &str, version: i64| {
        let req = pb::upgrade_resource_identity::Request {
            type_name: type_name.into(),
            version,
            raw_identity: Some(pb::RawState {
                json: br#"{"id":"thing-1"}"#.to_vec(),
                ..Default::default()
            }),
        };
        let mut p = h.provider.clone();
        async move {
            p.upgrade_resource_identity(req)
                .await
                .expect("UpgradeResourceIdentity")
                .into_inner()
        }
    };
    for version in [0, 1] {
        let resp = upgrade("test_thing", version).await;
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
        let identity = resp.upgraded_identity.expect("upgraded identity");
        assert_eq!(read_mp(identity.identity_data.as_ref()), mp(IDENTITY_1));
    }

    let newer = upgrade("test_thing", 2).await;
    assert!(newer.upgraded_identity.is_none());
    let errs = errors(&newer.diagnostics);
    assert_eq!(errs.len(), 1, "{:?}", newer.diagnostics);
    assert_eq!(
        errs[0].summary,
        "Resource Identity Is Newer Than This Provider"
    );

    let unknown = upgrade("nope_thing", 0).await;
    assert!(unknown.upgraded_identity.is_none());
    let errs = errors(&unknown.diagnostics);
    assert_eq!(errs.len(), 1, "{:?}", unknown.diagnostics);
    assert_eq!(errs[0].summary, "Unknown Resource Type");
    assert!(errs[0].detail.contains("nope_thing"));
}

/// ReadDataSource decodes a msgpack config and answers the state with the computed value filled in.
#[tokio::test]
async fn read_data_source_fills_the_computed_value() {
    let mut h = Harness::start().await;
    let read = |mut p: pb::provider_client::ProviderClient<Channel>| async move {
        p.read_data_source(pb::read_data_source::Request {
            type_name: "test_info".into(),
            config: msgpack(b"\x82\xa4name\xa3foo\xa5value\xc0"),
            ..Default::default()
        })
        .await
        .expect("ReadDataSource")
        .into_inner()
    };
    // Not configured yet: an error, no state.
    let early = read(h.provider.clone()).await;
    assert!(early.state.is_none());
    assert_eq!(summaries(&early.diagnostics), ["Provider Not Configured"]);

    h.configure().await;
    let resp = read(h.provider.clone()).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert!(resp.deferred.is_none());
    assert_eq!(
        resp.state.expect("state").msgpack,
        b"\x82\xa4name\xa3foo\xa5value\xa3foo"
    );
}

/// ImportResourceState by identity (no ID) imports the object the identity names, with that identity; an
/// identity without its required `id` is an error diagnostic.
#[tokio::test]
async fn import_by_identity_imports_the_named_object() {
    let mut h = Harness::start().await;
    h.configure().await;
    let import = |identity: &'static [u8]| {
        let mut p = h.provider.clone();
        async move {
            p.import_resource_state(pb::import_resource_state::Request {
                type_name: "test_thing".into(),
                id: String::new(),
                identity: Some(pb::ResourceIdentityData {
                    identity_data: msgpack(identity),
                }),
                ..Default::default()
            })
            .await
            .expect("ImportResourceState")
            .into_inner()
        }
    };
    let resp = import(b"\x81\xa2id\xa7thing-7").await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(resp.imported_resources.len(), 1);
    let r = &resp.imported_resources[0];
    assert_eq!(r.type_name, "test_thing");
    assert_eq!(
        read_mp(r.state.as_ref()),
        mp(b"\x85\xabdescription\xc0\xa2id\xa7thing-7\xa4name\xa8imported\xa8settings\xc0\xa4size\xc0")
    );
    assert_eq!(
        read_mp(
            r.identity
                .as_ref()
                .expect("identity")
                .identity_data
                .as_ref()
        ),
        mp(b"\x81\xa2id\xa7thing-7")
    );

    let incomplete = import(b"\x81\xa2id\xc0").await;
    assert!(incomplete.imported_resources.is_empty());
    assert_eq!(
        summaries(&incomplete.diagnostics),
        ["Invalid Import Identity"]
    );
}

// ----- list resources (need the real codec) -----------------------------------------------------------------

/// ListResource streams one event per object (identity, display name, object when asked for), then one
/// event per diagnostic.
#[tokio::test]
async fn list_resource_streams_items_then_diagnostics() {
    let mut h = Harness::start().await;
    h.configure().await;
    let mut stream = h
        .provider
        .list_resource(pb::list_resource::Request {
            type_name: "test_thing".into(),
            config: msgpack(b"\x81\xa6prefix\xc0"),
            include_resource_object: true,
            limit: 10,
        })
        .await
        .expect("ListResource")
        .into_inner();
    let mut events = Vec::new();
    while let Some(e) = stream.message().await.expect("event") {
        events.push(e);
    }
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[0].display_name, "Thing thing-1");
    assert_eq!(
        read_mp(
            events[0]
                .identity
                .as_ref()
                .expect("identity")
                .identity_data
                .as_ref()
        ),
        mp(IDENTITY_1)
    );
    assert!(events[0].resource_object.is_some());
    assert!(events[0].diagnostic.is_empty());
    assert_eq!(events[1].display_name, "Thing thing-2");
    assert_eq!(summaries(&events[2].diagnostic), ["Partial Listing"]);
    assert!(events[2].identity.is_none());
}
