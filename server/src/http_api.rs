//! What the HTTP JSON endpoints share (`/sim/`, `/admin/`, `/reports/`):
//! errors with a stable code, the role checks of bearer tokens, and body and
//! path parsing.

use crate::auth::Claims;
use crate::owner::{Input, Refused};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ringside::model::{CommandError, Role};
use ringside::protocol::limits::echo;
use serde::Deserialize;

/// An HTTP error with a stable code.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    message: String,
}

impl ApiError {
    /// An error with this HTTP status, stable code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
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
            | CommandError::UnknownParticipant(_)
            | CommandError::UnknownRecord(_) => StatusCode::NOT_FOUND,
            // Well-formed, but not applicable to what the center holds now.
            CommandError::BadArgument { .. } | CommandError::InvalidTransition { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::CONFLICT,
        };
        ApiError::new(status, e.code(), e.to_string())
    }
}

/// The claims of the request's valid bearer token, or 401 `unauthorized`
/// (or `token_expired`).
pub fn bearer_claims(app: &AppState, headers: &HeaderMap) -> Result<Claims, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "an Authorization: Bearer <token> header is required"))?;
    let token = crate::auth::bearer_token(value)
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "the Authorization header must be Bearer <token>"))?;
    app.keys.verify(token).map_err(|e| ApiError::new(StatusCode::UNAUTHORIZED, e.code(), e.to_string()))
}

/// Refuses a request without a valid token of role admin.
pub fn require_admin(app: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    require_role(app, headers, "admin", |role| role == Role::Admin)
}

/// Refuses a request without a valid token of role supervisor or admin
/// (reports show secondary statuses, which only they may see, SPEC S6).
pub fn require_supervisor(app: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    require_role(app, headers, "supervisor or admin", Role::supervises)
}

/// 401 without a valid token, 403 `forbidden` when its role is not `allowed`.
fn require_role(app: &AppState, headers: &HeaderMap, needed: &str, allowed: impl Fn(Role) -> bool) -> Result<(), ApiError> {
    let claims = bearer_claims(app, headers)?;
    if !allowed(claims.role) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", format!("this endpoint needs role {needed}, not {}", claims.role.name())));
    }
    Ok(())
}

/// A request body as a handler takes it: its bytes, or why they could not
/// be read (over the route's size limit, or cut off).
pub type BodyBytes = Result<Bytes, BytesRejection>;

/// A body's bytes: 413 `too_large` past the route's limit (2 MiB unless the
/// route sets its own), else 400 `bad_request` if it could not be read;
/// the JSON error every HTTP refusal has, not axum's text.
pub fn read_body(body: BodyBytes) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "the body is over this endpoint's limit"),
        _ => ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "the body could not be read"),
    })
}

/// A JSON body, or `too_large` or `bad_request` with a short message.
pub fn parse_body<T: for<'de> Deserialize<'de>>(body: BodyBytes) -> Result<T, ApiError> {
    parse_json(&read_body(body)?)
}

/// A JSON object's bytes, or `bad_request` with a short message.
pub fn parse_json<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, ApiError> {
    // Every body is an object: serde would also fill a struct from an
    // array of its fields in order, so `[{}, {}]` could replace a directory.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "the body must be a JSON object"));
    }
    // serde_json quotes the body's text: keep the message short (SPEC N8).
    serde_json::from_slice(body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("invalid JSON body: {}", echo(&e.to_string()))))
}

/// A numeric id from a path, or `bad_request`.
pub fn parse_id(text: &str, what: &str) -> Result<u64, ApiError> {
    // Only as the server writes ids: `+1` or `01` name no contact 1.
    let id = text.parse::<u64>().ok().filter(|id| id.to_string() == text);
    id.ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("{what} id must be a number as the server writes it")))
}


/// `unavailable`: the server is stopping or could not store the change.
pub fn unavailable() -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the server is stopping or could not store the change")
}

/// Sends the owner the input `make` builds around a reply channel and waits
/// for the reply: `busy` when its queue is full, `unavailable` when it
/// stopped or dropped the question.
pub async fn ask_owner<T>(app: &AppState, make: impl FnOnce(tokio::sync::oneshot::Sender<T>) -> Input) -> Result<T, ApiError> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    match app.owner.send(make(reply)) {
        Ok(()) => {}
        Err(Refused::Busy) => return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "the server is busy; retry shortly")),
        Err(Refused::Stopped) => return Err(unavailable()),
    }
    answer.await.map_err(|_| unavailable())
}
