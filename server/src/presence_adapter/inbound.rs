//! `POST /presence/external`: an external presence system's status change
//! for one of our users (SPEC N7). The adapter authenticates and reads the
//! request ([`super::PresenceAdapter::receive`]; the webhook: a body
//! `{"user": "ana", "status": "busy", "secondary": null}` signed like its
//! own deliveries with the `inbound_secret`), and the change is applied like
//! the user's own `set_status`.
//!
//! 200 `{"ok": true}`; 401 `bad_signature` for a missing, wrong or stale
//! signature; 400 `bad_request` for a body that is not such a change; 409
//! or 422 with the center's code when it refuses (`not_logged_in`,
//! `unknown_status`, `status_system_only`...); 404 `not_configured` when no
//! adapter (or, for the webhook, no inbound secret) is configured.

use crate::http_api::{ask_owner, read_body, unavailable, ApiError, BodyBytes};
use crate::owner::{Input, SimFailure, SimRequest};
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use ringside::center::Input as CenterInput;
use ringside::protocol::limits::{check_name, MAX_ID_BYTES};
use std::sync::atomic::Ordering;

/// The inbound route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/presence/external", post(external_change))
}

async fn external_change(State(app): State<AppState>, headers: HeaderMap, body: BodyBytes) -> Result<Json<serde_json::Value>, ApiError> {
    let Some(adapter) = app.presence.clone() else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "not_configured", "no presence adapter is configured"));
    };
    let change = adapter.receive(&headers, &read_body(body)?)?;
    let ids = [("user", change.user.as_str()), ("status", change.status.as_str())];
    let secondary = change.secondary.as_ref().map(|s| ("secondary", s.as_str()));
    for (field, text) in ids.into_iter().chain(secondary) {
        check_name(field, text, MAX_ID_BYTES).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.to_string()))?;
    }
    let input = CenterInput::ExternalStatus { user: change.user, status: change.status, secondary: change.secondary };
    match ask_owner(&app, |reply| Input::Sim { request: SimRequest::Change(input), reply }).await? {
        Ok(_) => {
            adapter.stats().received.fetch_add(1, Ordering::Relaxed);
            Ok(Json(serde_json::json!({ "ok": true })))
        }
        Err(SimFailure::Refused(e)) => Err(e.into()),
        Err(SimFailure::Unavailable) => Err(unavailable()),
    }
}
