//! The directory and presence HTTP API (JSON).
//!
//! For tokens with role admin (`Authorization: Bearer <token>`):
//! - `GET /admin/directory` → 200 `{"teams": {...}, "members": {...}}`
//! - `PUT /admin/directory` a whole directory → 200 the directory
//! - `PUT /admin/teams/{id}` `{"label": "North"}` → 200 the directory
//! - `DELETE /admin/teams/{id}` → 200 the directory (the team leaves every member)
//! - `PUT /admin/members/{user}` `{"teams": [...], "queues": {"support": 7}, "favourites": [...], "phone": "webrtc"}` → 200 the directory
//! - `DELETE /admin/members/{user}` → 200 the directory
//!
//! A change applies to the next offer at once. A refused change is 422 with
//! the code `unknown_team`, `unknown_queue`, `bad_argument` or
//! `invalid_message` and changes nothing.
//!
//! For any valid token: `GET /presence/{user}/direct-call` → 200
//! `{"user", "status", "route", "number"?, "video_blocked"}` (SPEC S3, S4).

pub mod demo;

use crate::http_api::{ask_owner, BodyBytes, bearer_claims, parse_body, require_admin, unavailable, ApiError};
use crate::owner::{DirectoryFailure, DirectoryReply, DirectoryRequest, Input};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use ringside::model::directory::{check_id, Directory, Member, Team};
use ringside::model::{TeamId, UserId};

/// The largest directory body taken: 20,000 members with a few teams,
/// queues and favourites each is a few MB, over axum's default of 2 MiB (a
/// directory filling every bound at once is larger: build it by member).
pub const MAX_DIRECTORY_BODY_BYTES: usize = 16 << 20;

/// The directory and presence routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/directory", get(get_directory).put(save_directory))
        .route("/admin/teams/{id}", put(save_team).delete(remove_team))
        .route("/admin/members/{user}", put(save_member).delete(remove_member))
        .route("/presence/{user}/direct-call", get(direct_call))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_DIRECTORY_BODY_BYTES))
}

/// Asks the owner and turns its answer into a response.
async fn ask(app: &AppState, request: DirectoryRequest) -> Result<DirectoryReply, ApiError> {
    match ask_owner(app, |reply| Input::Directory { request, reply }).await? {
        Ok(reply) => Ok(reply),
        Err(DirectoryFailure::Refused(e)) => Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string())),
        Err(DirectoryFailure::Unavailable) => Err(unavailable()),
    }
}

fn respond(reply: DirectoryReply) -> Response {
    match reply {
        DirectoryReply::Directory(directory) => Json(*directory).into_response(),
        DirectoryReply::Members(members) => Json(serde_json::json!({ "members": members })).into_response(),
        DirectoryReply::DirectCall(decision) => Json(decision).into_response(),
    }
}

/// An id from a path: within its bound, no control characters; refused
/// as the same id in a body is (422 `invalid_message`).
fn path_id(field: &'static str, text: &str) -> Result<(), ApiError> {
    check_id(field, text).map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string()))
}

async fn get_directory(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    Ok(respond(ask(&app, DirectoryRequest::Get).await?))
}

async fn save_directory(State(app): State<AppState>, headers: HeaderMap, body: BodyBytes) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let directory: Directory = parse_body(body)?;
    Ok(respond(ask(&app, DirectoryRequest::Save(Box::new(directory))).await?))
}

async fn save_team(State(app): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: BodyBytes) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    path_id("team", &id)?;
    let team: Team = parse_body(body)?;
    Ok(respond(ask(&app, DirectoryRequest::SaveTeam(TeamId(id), Some(team))).await?))
}

async fn remove_team(State(app): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    path_id("team", &id)?;
    Ok(respond(ask(&app, DirectoryRequest::SaveTeam(TeamId(id), None)).await?))
}

async fn save_member(State(app): State<AppState>, headers: HeaderMap, Path(user): Path<String>, body: BodyBytes) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    path_id("user", &user)?;
    let member: Member = parse_body(body)?;
    Ok(respond(ask(&app, DirectoryRequest::SaveMember(UserId(user), Some(Box::new(member)))).await?))
}

async fn remove_member(State(app): State<AppState>, headers: HeaderMap, Path(user): Path<String>) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    path_id("user", &user)?;
    Ok(respond(ask(&app, DirectoryRequest::SaveMember(UserId(user), None)).await?))
}

async fn direct_call(State(app): State<AppState>, headers: HeaderMap, Path(user): Path<String>) -> Result<Response, ApiError> {
    bearer_claims(&app, &headers)?;
    path_id("user", &user)?;
    Ok(respond(ask(&app, DirectoryRequest::DirectCall(UserId(user))).await?))
}
