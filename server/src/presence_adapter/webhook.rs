//! The generic webhook adapter (SPEC N7). Out: each status change is POSTed
//! as JSON to a configured URL, signed ([`super::signature`]), in order, by
//! one task. A failed delivery is tried again with a growing pause until the
//! change is `max_delay_ms` old; then it is dropped and counted, so the
//! delay stays bounded and a dead receiver never holds the server back.
//! In: a request to `POST /presence/external` is taken when it carries a
//! valid signature made with the `inbound_secret`.

use super::signature::{sign, verify, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use super::{AdapterStats, ExternalChange, PresenceAdapter, PresenceChange};
use crate::http_api::{parse_json, ApiError};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::broadcast;

/// Changes waiting for the webhook task at most; past it the oldest are
/// dropped (SPEC N8): a newer change of a user supersedes an older one.
pub const WEBHOOK_QUEUE: usize = 4096;

/// The `[presence_webhook]` section of the config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// Where our changes are POSTed (`http://`).
    pub url: String,
    /// Signs what goes out.
    pub secret: String,
    /// Verifies what comes in on `POST /presence/external`; none refuses it.
    #[serde(default)]
    pub inbound_secret: Option<String>,
    /// A change not delivered this long after it happened is dropped.
    #[serde(default = "default_max_delay_ms")]
    pub max_delay_ms: u64,
}

fn default_max_delay_ms() -> u64 {
    // SPEC N7: the source names up to 12 s of delay.
    12_000
}

impl WebhookSettings {
    /// What is wrong with the settings, if anything.
    pub fn check(&self) -> Result<(), String> {
        // The client is built without TLS: put a TLS proxy in front of an
        // https receiver.
        if !self.url.starts_with("http://") {
            return Err("presence_webhook.url must be an http:// URL".into());
        }
        if self.secret.is_empty() || self.inbound_secret.as_ref().is_some_and(String::is_empty) {
            return Err("presence_webhook secrets must not be empty".into());
        }
        if self.max_delay_ms == 0 {
            return Err("presence_webhook.max_delay_ms must be at least 1".into());
        }
        Ok(())
    }
}

/// A running webhook adapter.
#[derive(Debug)]
pub struct WebhookAdapter {
    queue: broadcast::Sender<PresenceChange>,
    stats: Arc<AdapterStats>,
    settings: WebhookSettings,
}

fn wall_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl WebhookAdapter {
    /// Starts the delivery task on the current tokio runtime.
    pub fn start(settings: WebhookSettings) -> WebhookAdapter {
        // A broadcast channel with one receiver is a bounded queue whose
        // sender never waits and overwrites the oldest entry when full; the
        // receiver learns how many it lost.
        let (queue, changes) = broadcast::channel(WEBHOOK_QUEUE);
        let stats = Arc::new(AdapterStats::default());
        tokio::spawn(deliver(settings.clone(), changes, stats.clone()));
        WebhookAdapter { queue, stats, settings }
    }
}

impl PresenceAdapter for WebhookAdapter {
    fn publish(&self, change: PresenceChange) {
        if self.queue.send(change).is_err() {
            // The delivery task is gone (the runtime is stopping).
            self.stats.dropped(1);
        }
    }

    fn receive(&self, headers: &HeaderMap, body: &[u8]) -> Result<ExternalChange, ApiError> {
        let Some(secret) = &self.settings.inbound_secret else {
            return Err(ApiError::new(StatusCode::NOT_FOUND, "not_configured", "no inbound presence secret is configured"));
        };
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let signed = match (header(TIMESTAMP_HEADER).and_then(|t| t.parse::<u64>().ok()), header(SIGNATURE_HEADER)) {
            (Some(timestamp), Some(signature)) => verify(secret.as_bytes(), timestamp, body, signature, wall_ms()),
            _ => false,
        };
        if !signed {
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "bad_signature", "the body's signature is missing, wrong or stale"));
        }
        parse_json(body)
    }

    fn stats(&self) -> &AdapterStats {
        &self.stats
    }

    fn target(&self) -> &str {
        &self.settings.url
    }

    fn delay_bound_ms(&self) -> u64 {
        self.settings.max_delay_ms
    }
}

/// Delivers changes in order until the adapter is dropped.
async fn deliver(settings: WebhookSettings, mut changes: broadcast::Receiver<PresenceChange>, stats: Arc<AdapterStats>) {
    let client = reqwest::Client::new();
    loop {
        let change = match changes.recv().await {
            Ok(change) => change,
            Err(broadcast::error::RecvError::Lagged(lost)) => {
                stats.dropped(lost);
                tracing::warn!(lost, "the presence webhook queue was full; the oldest changes were dropped");
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        deliver_one(&client, &settings, &stats, &change).await;
    }
}

/// Posts one change until it is delivered or past the delay bound.
async fn deliver_one(client: &reqwest::Client, settings: &WebhookSettings, stats: &AdapterStats, change: &PresenceChange) {
    let Ok(body) = serde_json::to_vec(change) else { return };
    let mut pause = Duration::from_millis(100);
    loop {
        let now = wall_ms();
        let left = (change.at.0 + settings.max_delay_ms).saturating_sub(now);
        if left == 0 {
            stats.dropped(1);
            tracing::warn!(user = %change.user, "a presence change passed its delay bound undelivered and was dropped");
            return;
        }
        let sent = client
            .post(&settings.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, now.to_string())
            .header(SIGNATURE_HEADER, sign(settings.secret.as_bytes(), now, &body))
            .body(body.clone())
            .timeout(Duration::from_millis(left))
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => {
                stats.delivered(wall_ms().saturating_sub(change.at.0));
                return;
            }
            outcome => {
                stats.failed.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(?outcome, "presence webhook delivery failed; trying again");
                tokio::time::sleep(pause.min(Duration::from_millis(left))).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;
    use ringside::model::{ServerTime, StatusId, UserId};

    // SPEC N7, SPEC N8: a full queue never blocks the publisher; the oldest
    // changes go, are counted, and the newest are delivered.
    #[tokio::test]
    async fn a_full_queue_drops_the_oldest_changes_and_counts_them() {
        let (arrived, mut arrivals) = tokio::sync::mpsc::unbounded_channel::<Bytes>();
        let app = axum::Router::new().route(
            "/presence",
            axum::routing::post(move |body: Bytes| {
                let _ = arrived.send(body);
                async { StatusCode::NO_CONTENT }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/presence", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        let adapter = WebhookAdapter::start(WebhookSettings { url, secret: "s".into(), inbound_secret: None, max_delay_ms: 60_000 });
        let now = ServerTime(wall_ms());
        // The test's runtime has one thread: the delivery task cannot run
        // until this loop is done, so the queue overflows by three.
        for i in 0..WEBHOOK_QUEUE + 3 {
            let user = UserId(format!("u{i}"));
            adapter.publish(PresenceChange { user, status: StatusId::from("idle"), secondary: None, automatic: false, at: now });
        }
        let first = tokio::time::timeout(Duration::from_secs(5), arrivals.recv()).await.expect("in time").expect("a delivery");
        let first: PresenceChange = serde_json::from_slice(&first).expect("a change");
        assert_eq!(first.user.as_str(), "u3", "the three oldest were dropped");
        assert_eq!(adapter.stats().dropped.load(Ordering::Relaxed), 3);
    }
}
