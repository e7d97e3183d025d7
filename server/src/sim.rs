//! The customer simulator: HTTP JSON endpoints under `/sim/`, for admins
//! only (`Authorization: Bearer <token>` with role `admin`).
//!
//! - `POST /sim/contacts` `{"queue": "support", "channel": "voice", "from": "+46 8 123"}`
//!   → 201 `{"contact": 7}`
//! - `POST /sim/contacts/{id}/hang_up` → 200 `{"ok": true}`
//! - `POST /sim/offers/{id}/undeliverable` `{"cause": "device_fault"}` → 200 `{"ok": true}` (SPEC O4)
//! - `POST /sim/interactions/{id}/answer` `{"answered": true}` → 200 `{"ok": true}`:
//!   the dialled number of a pending consult or conference answers, or
//!   declines (SPEC V6)
//! - `POST /sim/interactions/{id}/participants/{participant}/hang_up` → 200
//!   `{"ok": true}`: the customer or a dialled number leaves the call (SPEC F7, F8)
//! - `POST /sim/records/{id}/answer` `{"outcome": "answered"}` → 200 `{"ok": true}`:
//!   the number dialled for a campaign record answers, rings out
//!   (`no_answer`), is `busy` or a `wrong_number`, now, whatever the
//!   dialler's rule on its last digit says (`dialler.rs`)
//! - `GET /sim/state` → 200 queues with waiting contacts, agents, next deadline
//! - `GET /sim/` → 200 this list as JSON (no token needed)
//!
//! Errors are `{"code": ..., "message": ...}` with a fitting HTTP status.

use crate::http_api::{ask_owner, BodyBytes, parse_body, parse_id, require_admin, unavailable, ApiError};
use crate::owner::{Input, SimFailure, SimReply, SimRequest};
use ringside::center::Input as CenterInput;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ringside::model::campaign::DialOutcome;
use ringside::model::{Channel, ContactId, InteractionId, OfferId, ParticipantId, QueueId, RecordId, RonaCause};
use ringside::protocol::limits::{check_name, MAX_FROM_BYTES};
use serde::Deserialize;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The `/sim/` routes. Pages from the configured `allowed_origins` may call
/// them from another origin (CORS); pages served by this server need nothing.
pub fn routes(allowed_origins: &[String]) -> Router<AppState> {
    let origins = if allowed_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(allowed_origins.iter().filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()))
    };
    let cors = CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]);
    Router::new()
        .route("/sim/contacts", post(create_contact))
        .route("/sim/contacts/{id}/hang_up", post(hang_up))
        .route("/sim/offers/{id}/undeliverable", post(undeliverable))
        .route("/sim/interactions/{id}/answer", post(number_answers))
        .route("/sim/interactions/{id}/participants/{participant}/hang_up", post(party_hangs_up))
        .route("/sim/records/{id}/answer", post(dial_answers))
        .route("/sim/state", get(state))
        .route("/sim", get(index))
        .route("/sim/", get(index))
        .method_not_allowed_fallback(crate::method_not_allowed)
        .layer(cors)
}

/// `GET /sim/`: what the simulator offers (no token needed to read this).
async fn index() -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "auth": "Authorization: Bearer <token with role admin>",
        "endpoints": [
            { "method": "POST", "path": "/sim/contacts", "body": { "queue": "support", "channel": "voice|chat|email|social", "from": "optional" }, "returns": { "contact": "id" } },
            { "method": "POST", "path": "/sim/contacts/{id}/hang_up", "returns": { "ok": true } },
            { "method": "POST", "path": "/sim/offers/{id}/undeliverable", "body": { "cause": "device_fault|network_fault|wrong_number" }, "returns": { "ok": true } },
            { "method": "POST", "path": "/sim/interactions/{id}/answer", "body": { "answered": "true|false" }, "returns": { "ok": true } },
            { "method": "POST", "path": "/sim/interactions/{id}/participants/{participant}/hang_up", "returns": { "ok": true } },
            { "method": "POST", "path": "/sim/records/{id}/answer", "body": { "outcome": "answered|no_answer|busy|wrong_number" }, "returns": { "ok": true } },
            { "method": "GET", "path": "/sim/state", "returns": "queues with waiting contacts, agents, next deadline" }
        ],
        "errors": { "code": "stable_code", "message": "a sentence" }
    }))
}

async fn ask(app: &AppState, request: SimRequest) -> Result<SimReply, ApiError> {
    match ask_owner(app, |reply| Input::Sim { request, reply }).await? {
        Ok(reply) => Ok(reply),
        Err(SimFailure::Refused(e)) => Err(e.into()),
        Err(SimFailure::Unavailable) => Err(unavailable()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewContact {
    queue: QueueId,
    channel: Channel,
    #[serde(default = "default_from")]
    from: String,
}

fn default_from() -> String {
    "+46 8 555 0100".to_owned()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Undeliverable {
    cause: RonaCause,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    answered: bool,
}

async fn create_contact(State(app): State<AppState>, headers: HeaderMap, body: BodyBytes) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let new: NewContact = parse_body(body)?;
    // Who the customer is goes into every offer and interaction (SPEC N8).
    check_name("from", &new.from, MAX_FROM_BYTES).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.to_string()))?;
    let reply = ask(&app, SimRequest::Change(CenterInput::EnqueueContact { queue: new.queue, channel: new.channel, from: new.from })).await?;
    Ok((StatusCode::CREATED, Json(reply)).into_response())
}

async fn hang_up(State(app): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let contact = ContactId(parse_id(&id, "contact")?);
    let reply = ask(&app, SimRequest::Change(CenterInput::CustomerHangUp { contact })).await?;
    Ok(Json(reply).into_response())
}

async fn undeliverable(State(app): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: BodyBytes) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let offer = OfferId(parse_id(&id, "offer")?);
    let request: Undeliverable = parse_body(body)?;
    let reply = ask(&app, SimRequest::Change(CenterInput::OfferUndeliverable { offer, cause: request.cause })).await?;
    Ok(Json(reply).into_response())
}

async fn number_answers(State(app): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: BodyBytes) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let interaction = InteractionId(parse_id(&id, "interaction")?);
    let request: Answer = parse_body(body)?;
    let reply = ask(&app, SimRequest::Change(CenterInput::NumberAnswers { interaction, answered: request.answered })).await?;
    Ok(Json(reply).into_response())
}

async fn party_hangs_up(State(app): State<AppState>, headers: HeaderMap, Path((id, participant)): Path<(String, String)>) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let interaction = InteractionId(parse_id(&id, "interaction")?);
    let participant = ParticipantId(parse_id(&participant, "participant")?);
    let reply = ask(&app, SimRequest::Change(CenterInput::PartyHangsUp { interaction, participant })).await?;
    Ok(Json(reply).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DialAnswer {
    outcome: DialOutcome,
}

async fn dial_answers(State(app): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: BodyBytes) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let record = RecordId(parse_id(&id, "record")?);
    let DialAnswer { outcome } = parse_body(body)?;
    let reply = ask(&app, SimRequest::Change(CenterInput::DialAnswers { record, outcome })).await?;
    Ok(Json(reply).into_response())
}

async fn state(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let reply = ask(&app, SimRequest::State).await?;
    Ok(Json(reply).into_response())
}
