//! Tracing helpers for tests that wait on a log event rather than on time.

/// A tracing layer that sends on `tx` each time an event whose message is exactly `message` is emitted
/// (e.g. the client logging that it waits for the rate limiter), so a test can act at that moment.
pub struct OnMessage {
    /// The message to watch for.
    pub message: &'static str,
    /// Signalled once per matching event.
    pub tx: tokio::sync::mpsc::UnboundedSender<()>,
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for OnMessage {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        struct Msg(String);
        impl tracing::field::Visit for Msg {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        let mut m = Msg(String::new());
        event.record(&mut m);
        if m.0 == self.message {
            let _ = self.tx.send(());
        }
    }
}
