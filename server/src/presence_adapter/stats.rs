//! What a presence adapter did, shown (SPEC N7: the delay is shown): the
//! counters, their lines in `/metrics`, and `GET /admin/presence-adapter`.

use crate::http_api::{require_admin, ApiError};
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of an adapter.
#[derive(Debug, Default)]
pub struct AdapterStats {
    /// Changes delivered.
    pub sent: AtomicU64,
    /// Deliveries that failed (then retried until the delay bound).
    pub failed: AtomicU64,
    /// Changes dropped: the queue was full (the oldest go) or the delay
    /// bound passed.
    pub dropped: AtomicU64,
    /// From the change to its delivery, for the last delivered one (ms).
    pub last_delay_ms: AtomicU64,
    /// The largest such delay so far (ms).
    pub max_delay_ms: AtomicU64,
    /// Changes received from the external system and applied.
    pub received: AtomicU64,
}

fn read(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}

impl AdapterStats {
    /// Notes a delivery `delay_ms` after its change.
    pub fn delivered(&self, delay_ms: u64) {
        self.sent.fetch_add(1, Ordering::Relaxed);
        self.last_delay_ms.store(delay_ms, Ordering::Relaxed);
        self.max_delay_ms.fetch_max(delay_ms, Ordering::Relaxed);
    }

    /// Notes `count` changes dropped.
    pub fn dropped(&self, count: u64) {
        self.dropped.fetch_add(count, Ordering::Relaxed);
    }

    /// The counters as JSON, with the delay bound they are held to.
    pub fn to_json(&self, delay_bound_ms: u64) -> serde_json::Value {
        serde_json::json!({
            "sent": read(&self.sent),
            "failed": read(&self.failed),
            "dropped": read(&self.dropped),
            "received": read(&self.received),
            "last_delay_ms": read(&self.last_delay_ms),
            "max_delay_ms": read(&self.max_delay_ms),
            "delay_bound_ms": delay_bound_ms,
        })
    }

    /// The counters in Prometheus text format.
    pub fn render(&self) -> String {
        let lines = [
            ("ringside_presence_adapter_sent_total", "counter", "Status changes delivered to the external presence system.", read(&self.sent)),
            ("ringside_presence_adapter_failed_total", "counter", "Failed deliveries to the external presence system.", read(&self.failed)),
            ("ringside_presence_adapter_dropped_total", "counter", "Status changes dropped: queue full or past the delay bound.", read(&self.dropped)),
            ("ringside_presence_adapter_received_total", "counter", "Status changes received from the external system and applied.", read(&self.received)),
            ("ringside_presence_adapter_last_delay_ms", "gauge", "Delay of the last delivery, from the change.", read(&self.last_delay_ms)),
            ("ringside_presence_adapter_max_delay_ms", "gauge", "The largest delivery delay so far.", read(&self.max_delay_ms)),
        ];
        lines.iter().map(|(name, kind, help, value)| format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n")).collect()
    }
}

/// `GET /admin/presence-adapter` (admin token): the counters, the delay
/// bound and the target as JSON; 404 `not_configured` without an adapter.
pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/presence-adapter", get(adapter_status))
}

async fn adapter_status(State(app): State<AppState>, headers: HeaderMap) -> Result<Json<serde_json::Value>, ApiError> {
    require_admin(&app, &headers)?;
    let adapter = app.presence.as_ref().ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_configured", "no presence adapter is configured"))?;
    let mut status = adapter.stats().to_json(adapter.delay_bound_ms());
    status["url"] = serde_json::Value::String(adapter.target().to_owned());
    Ok(Json(status))
}
