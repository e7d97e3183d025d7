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
//! - `GET /sim/state` → 200 queues with waiting contacts, agents, next deadline
//! - `GET /sim/` → 200 this list as JSON (no token needed)
//!
//! Errors are `{"code": ..., "message": ...}` with a fitting HTTP status.

use crate::owner::{Input, Refused, SimFailure, SimReply, SimRequest};
use ringside::center::Input as CenterInput;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ringside::model::{Channel, CommandError, ContactId, InteractionId, OfferId, ParticipantId, QueueId, RonaCause, Role};
use ringside::protocol::limits::{check_name, echo, MAX_FROM_BYTES};
use serde::Deserialize;
use tokio::sync::oneshot;
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
        .route("/sim/state", get(state))
        .route("/sim", get(index))
        .route("/sim/", get(index))
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
            { "method": "GET", "path": "/sim/state", "returns": "queues with waiting contacts, agents, next deadline" }
        ],
        "errors": { "code": "stable_code", "message": "a sentence" }
    }))
}

/// An HTTP error with a stable code.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError { status, code: code.to_owned(), message: message.into() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(serde_json::json!({ "code": self.code, "message": self.message }))).into_response()
    }
}

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        let status = match e {
            CommandError::UnknownQueue(_)
            | CommandError::UnknownContact(_)
            | CommandError::UnknownOffer(_)
            | CommandError::UnknownInteraction(_)
            | CommandError::UnknownParticipant(_) => StatusCode::NOT_FOUND,
            // Well-formed, but not applicable to what the center holds now.
            CommandError::BadArgument { .. } | CommandError::InvalidTransition { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::CONFLICT,
        };
        ApiError::new(status, e.code(), e.to_string())
    }
}

fn require_admin(app: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "an Authorization: Bearer <token> header is required"))?;
    let token = value
        .strip_prefix("Bearer ")
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "the Authorization header must be Bearer <token>"))?;
    let claims = app.keys.verify(token.trim()).map_err(|e| ApiError::new(StatusCode::UNAUTHORIZED, e.code(), e.to_string()))?;
    if claims.role != Role::Admin {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", format!("the simulator needs role admin, not {}", claims.role.name())));
    }
    Ok(())
}

fn parse_body<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, ApiError> {
    // serde_json quotes the body's text: keep the message short (SPEC N8).
    serde_json::from_slice(body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("invalid JSON body: {}", echo(&e.to_string()))))
}

fn parse_id(text: &str, what: &str) -> Result<u64, ApiError> {
    text.parse().map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("{what} id must be a number")))
}

async fn ask(app: &AppState, request: SimRequest) -> Result<SimReply, ApiError> {
    let (reply, answer) = oneshot::channel();
    let unavailable = || ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the server is stopping or could not store the change");
    match app.owner.send(Input::Sim { request, reply }) {
        Ok(()) => {}
        Err(Refused::Busy) => return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "the server is busy; retry shortly")),
        Err(Refused::Stopped) => return Err(unavailable()),
    }
    match answer.await {
        Ok(Ok(reply)) => Ok(reply),
        Ok(Err(SimFailure::Refused(e))) => Err(e.into()),
        Ok(Err(SimFailure::Unavailable)) | Err(_) => Err(unavailable()),
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

async fn create_contact(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let new: NewContact = parse_body(&body)?;
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

async fn undeliverable(State(app): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let offer = OfferId(parse_id(&id, "offer")?);
    let request: Undeliverable = parse_body(&body)?;
    let reply = ask(&app, SimRequest::Change(CenterInput::OfferUndeliverable { offer, cause: request.cause })).await?;
    Ok(Json(reply).into_response())
}

async fn number_answers(State(app): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let interaction = InteractionId(parse_id(&id, "interaction")?);
    let request: Answer = parse_body(&body)?;
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

async fn state(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let reply = ask(&app, SimRequest::State).await?;
    Ok(Json(reply).into_response())
}
