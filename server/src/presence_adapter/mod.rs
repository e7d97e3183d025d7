//! Presence sync with an external system (SPEC N7): an adapter through which
//! our status changes go out and the external system's come in, with the
//! delay bounded and shown. No vendor is built in; the one adapter here is a
//! generic signed webhook ([`webhook`]).
//!
//! Out: after each commit the owner hands every status change to the
//! adapter without waiting (a bounded queue; a full queue drops the change
//! and counts it). In: `POST /presence/external` (see [`inbound`]), applied
//! to the center as the user's status change.

pub mod inbound;
pub mod signature;
pub mod webhook;

use ringside::model::{SecondaryId, ServerTime, StatusId, UserId};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};

/// One status change, as it goes out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceChange {
    /// Whose status.
    pub user: UserId,
    /// The primary status.
    pub status: StatusId,
    /// Its secondary status.
    pub secondary: Option<SecondaryId>,
    /// Whether auto-away set it (S11).
    pub automatic: bool,
    /// When it changed (server milliseconds).
    pub at: ServerTime,
}

/// Where our presence goes and theirs comes from.
pub trait PresenceAdapter: Send + Sync {
    /// Hands a change over; never blocks the caller.
    fn publish(&self, change: PresenceChange);
    /// What the adapter did so far.
    fn stats(&self) -> &AdapterStats;
}

/// Counters of an adapter, shown in `/metrics` and `/admin/presence-adapter`.
#[derive(Debug, Default)]
pub struct AdapterStats {
    /// Changes delivered.
    pub sent: AtomicU64,
    /// Deliveries that failed (then retried until the delay bound).
    pub failed: AtomicU64,
    /// Changes dropped: the queue was full or the delay bound passed.
    pub dropped: AtomicU64,
    /// From the change to its delivery, for the last delivered one (ms).
    pub last_delay_ms: AtomicU64,
    /// The largest such delay so far (ms).
    pub max_delay_ms: AtomicU64,
    /// Changes received from the external system and applied.
    pub received: AtomicU64,
}

impl AdapterStats {
    /// Notes a delivery `delay_ms` after its change.
    pub fn delivered(&self, delay_ms: u64) {
        self.sent.fetch_add(1, Ordering::Relaxed);
        self.last_delay_ms.store(delay_ms, Ordering::Relaxed);
        self.max_delay_ms.fetch_max(delay_ms, Ordering::Relaxed);
    }

    /// The counters as JSON.
    pub fn to_json(&self, max_delay_bound_ms: u64) -> serde_json::Value {
        let read = |c: &AtomicU64| c.load(Ordering::Relaxed);
        serde_json::json!({
            "sent": read(&self.sent),
            "failed": read(&self.failed),
            "dropped": read(&self.dropped),
            "received": read(&self.received),
            "last_delay_ms": read(&self.last_delay_ms),
            "max_delay_ms": read(&self.max_delay_ms),
            "delay_bound_ms": max_delay_bound_ms,
        })
    }

    /// The counters in Prometheus text format.
    pub fn render(&self) -> String {
        let read = |c: &AtomicU64| c.load(Ordering::Relaxed);
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

/// `GET /admin/presence-adapter` (admin token): the adapter's counters and
/// delay bound as JSON; 404 `not_configured` without an adapter.
pub fn status_routes() -> axum::Router<crate::AppState> {
    axum::Router::new().route("/admin/presence-adapter", axum::routing::get(adapter_status))
}

async fn adapter_status(
    axum::extract::State(app): axum::extract::State<crate::AppState>,
    headers: axum::http::HeaderMap,
) -> Result<axum::Json<serde_json::Value>, crate::http_api::ApiError> {
    crate::http_api::require_admin(&app, &headers)?;
    let adapter = app.presence.as_ref().ok_or_else(|| {
        crate::http_api::ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_configured", "no presence adapter is configured")
    })?;
    let mut status = adapter.stats().to_json(adapter.settings.max_delay_ms);
    status["url"] = serde_json::Value::String(adapter.settings.url.clone());
    Ok(axum::Json(status))
}
