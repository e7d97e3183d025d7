//! `POST /presence/external`: an external presence system's status change
//! for one of our users (SPEC N7), signed like the webhook
//! ([`super::signature`]) with the `inbound_secret`.
//!
//! Body `{"user": "ana", "status": "busy", "secondary": null}` → 200
//! `{"ok": true}`, applied like the user's own `set_status` (so 409
//! `not_logged_in`, 422/409 `unknown_status`, `status_system_only`...);
//! 401 `bad_signature` for a missing, wrong or stale signature; 404
//! `not_configured` when no inbound secret is set.

use super::signature::{verify, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::http_api::{ask_owner, parse_body, unavailable, ApiError};
use crate::owner::{Input, SimFailure, SimRequest};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use ringside::center::Input as CenterInput;
use ringside::model::{SecondaryId, StatusId, UserId};
use ringside::protocol::limits::{check_name, MAX_ID_BYTES};
use serde::Deserialize;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

/// The inbound route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/presence/external", post(external_change))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExternalChange {
    user: UserId,
    status: StatusId,
    #[serde(default)]
    secondary: Option<SecondaryId>,
}

async fn external_change(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Json<serde_json::Value>, ApiError> {
    let adapter = app.presence.as_ref();
    let secret = adapter.and_then(|a| a.settings.inbound_secret.as_ref());
    let Some(secret) = secret else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "not_configured", "no inbound presence secret is configured"));
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let timestamp = header(TIMESTAMP_HEADER).and_then(|t| t.parse::<u64>().ok());
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    let signed = match (timestamp, header(SIGNATURE_HEADER)) {
        (Some(timestamp), Some(signature)) => verify(secret.as_bytes(), timestamp, &body, signature, now),
        _ => false,
    };
    if !signed {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "bad_signature", "the body's signature is missing, wrong or stale"));
    }
    let change: ExternalChange = parse_body(&body)?;
    for (field, text) in [("user", change.user.as_str()), ("status", change.status.as_str())] {
        check_name(field, text, MAX_ID_BYTES).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.to_string()))?;
    }
    let input = CenterInput::ExternalStatus { user: change.user, status: change.status, secondary: change.secondary };
    match ask_owner(&app, |reply| Input::Sim { request: SimRequest::Change(input), reply }).await? {
        Ok(_) => {
            if let Some(adapter) = adapter {
                super::PresenceAdapter::stats(adapter.as_ref()).received.fetch_add(1, Ordering::Relaxed);
            }
            Ok(Json(serde_json::json!({ "ok": true })))
        }
        Err(SimFailure::Refused(e)) => Err(e.into()),
        Err(SimFailure::Unavailable) => Err(unavailable()),
    }
}
