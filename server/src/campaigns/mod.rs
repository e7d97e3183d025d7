//! The campaign admin API: JSON over HTTP under `/admin/`, for tokens with
//! role admin only (`Authorization: Bearer <token>`).
//!
//! - `GET /admin/campaigns` → 200 `{"campaigns": [{"campaign": {...}, "records": {"ready": 97, ...}}]}`
//! - `PUT /admin/campaigns/{id}` a campaign (without `id` and `running`) → 200 `{"campaign": {...}}`
//! - `POST /admin/campaigns/{id}/start`, `.../stop` → 200 `{"campaign": {...}}`
//! - `POST /admin/campaigns/{id}/records` CSV body → 201 `{"imported": n}`, or
//!   422 `{"code": "bad_csv", "bad_lines": n, "errors": [{"line": 3, "message": ...}]}`
//!   with nothing imported
//! - `GET /admin/campaigns/{id}/records?status=ready&after=0&limit=100` → 200 `{"records": [...], "next": id|null}`
//! - `GET /admin/campaigns/{id}/export` → 200 CSV of every record with its results

pub mod cli;
pub mod demo;
pub mod export;
pub mod import;

use crate::http_api::{ask_owner, BodyBytes, parse_body, require_admin, unavailable, ApiError};
use crate::owner::{AdminFailure, AdminReply, AdminRequest, Input};
use crate::store::RecordFilter;
use crate::AppState;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use futures_util::TryStreamExt;
use ringside::model::campaign::{CallbackSounds, Campaign, CampaignMode, RecordStatus};
use ringside::model::{CampaignId, Channel, RecordId, UserId};
use serde::Deserialize;
use std::io::Read;

/// Records one list request returns at most.
pub const MAX_LIST_LIMIT: usize = 1_000;

/// The `/admin/` campaign routes.
pub fn routes(max_import_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/admin/campaigns", get(list_campaigns))
        .route("/admin/campaigns/{id}", put(save_campaign))
        .route("/admin/campaigns/{id}/start", post(start))
        .route("/admin/campaigns/{id}/stop", post(stop))
        .route("/admin/campaigns/{id}/records", post(import_records).get(list_records))
        .route("/admin/campaigns/{id}/export", get(export::export))
        .layer(axum::Extension(ImportLimit(max_import_bytes)))
}

#[derive(Clone, Copy)]
struct ImportLimit(usize);

/// A campaign as an administrator writes it: everything but its id (from
/// the path) and whether it runs (start and stop).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CampaignBody {
    name: String,
    #[serde(default)]
    mode: CampaignMode,
    #[serde(default)]
    media: Option<Vec<Channel>>,
    #[serde(default)]
    agents: Vec<UserId>,
    #[serde(default)]
    accept_timeout_ms: Option<u64>,
    #[serde(default)]
    conference_limit: Option<u32>,
    #[serde(default)]
    stale_limit_ms: Option<u64>,
    #[serde(default)]
    results: Option<Vec<String>>,
    #[serde(default)]
    disposition_required: bool,
    #[serde(default)]
    reschedule_before_dial: bool,
    #[serde(default)]
    sounds: CallbackSounds,
    #[serde(default)]
    fields: Vec<String>,
}

impl CampaignBody {
    /// The campaign, unset fields at their defaults.
    fn into_campaign(self, id: CampaignId) -> Result<Campaign, ApiError> {
        let defaults: Campaign = serde_json::from_value(serde_json::json!({ "id": id, "name": self.name }))
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.to_string()))?;
        let campaign = Campaign {
            mode: self.mode,
            media: self.media.unwrap_or(defaults.media.clone()),
            agents: self.agents,
            accept_timeout_ms: self.accept_timeout_ms.unwrap_or(defaults.accept_timeout_ms),
            conference_limit: self.conference_limit.unwrap_or(defaults.conference_limit),
            stale_limit_ms: self.stale_limit_ms.unwrap_or(defaults.stale_limit_ms),
            results: self.results.unwrap_or(defaults.results.clone()),
            disposition_required: self.disposition_required,
            reschedule_before_dial: self.reschedule_before_dial,
            sounds: self.sounds,
            fields: self.fields,
            ..defaults
        };
        campaign.check().map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_campaign", e))?;
        Ok(campaign)
    }
}

/// Sends an admin request to the owner and waits for its answer.
pub(crate) async fn ask(app: &AppState, request: AdminRequest) -> Result<AdminReply, ApiError> {
    match ask_owner(app, |reply| Input::Admin { request, reply }).await? {
        Ok(reply) => Ok(reply),
        Err(AdminFailure::Refused(e)) => Err(e.into()),
        Err(AdminFailure::NoCampaign(id)) => {
            Err(ApiError::new(StatusCode::NOT_FOUND, "unknown_campaign", format!("campaign `{}` does not exist", ringside::protocol::limits::echo(id.as_str()))))
        }
        Err(AdminFailure::Unavailable) => Err(unavailable()),
    }
}

fn campaign_id(text: String) -> Result<CampaignId, ApiError> {
    ringside::protocol::limits::check_name("campaign id", &text, ringside::protocol::limits::MAX_ID_BYTES)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_campaign", e.to_string()))?;
    Ok(CampaignId(text))
}

fn campaign_reply(reply: AdminReply) -> Response {
    match reply {
        AdminReply::Campaign(campaign) => Json(serde_json::json!({ "campaign": campaign })).into_response(),
        AdminReply::Campaigns(list) => Json(serde_json::json!({ "campaigns": list })).into_response(),
        AdminReply::Imported(count) => (StatusCode::CREATED, Json(serde_json::json!({ "imported": count }))).into_response(),
        AdminReply::Records(records) => {
            let next = records.last().map(|r| r.id);
            Json(serde_json::json!({ "records": records, "next": next })).into_response()
        }
    }
}

async fn list_campaigns(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    Ok(campaign_reply(ask(&app, AdminRequest::Campaigns).await?))
}

async fn save_campaign(State(app): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: BodyBytes) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let body: CampaignBody = parse_body(body)?;
    let campaign = body.into_campaign(campaign_id(id)?)?;
    Ok(campaign_reply(ask(&app, AdminRequest::SaveCampaign(Box::new(campaign))).await?))
}

async fn start(State(app): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    Ok(campaign_reply(ask(&app, AdminRequest::SetRunning(campaign_id(id)?, true)).await?))
}

async fn stop(State(app): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    Ok(campaign_reply(ask(&app, AdminRequest::SetRunning(campaign_id(id)?, false)).await?))
}

/// The campaign as the owner holds it (for an import's checks).
async fn campaign(app: &AppState, id: &CampaignId) -> Result<Campaign, ApiError> {
    match ask(app, AdminRequest::Campaign(id.clone())).await? {
        AdminReply::Campaign(campaign) => Ok(*campaign),
        _ => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the owner answered another request")),
    }
}

/// `POST /admin/campaigns/{id}/records`: the CSV body is read as it
/// arrives, each line checked and staged; published only if every line
/// was good.
async fn import_records(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Extension(ImportLimit(limit)): axum::Extension<ImportLimit>,
    body: Body,
) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let id = campaign_id(id)?;
    let campaign = campaign(&app, &id).await?;
    let staging = staging_path(&app.config.database);
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(stream));
    let path = staging.clone();
    let staged = tokio::task::spawn_blocking(move || {
        let mut limited = reader.take(limit as u64 + 1);
        let report = import::stage(&mut limited, &campaign, &path);
        (report, limited.limit() == 0)
    })
    .await;
    let result = match staged {
        Ok((_, true)) => Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("an import body holds at most {limit} bytes"))),
        Ok((Ok(report), false)) if report.bad_lines > 0 => Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(serde_json::json!({
            "code": "bad_csv",
            "message": format!("{} bad line(s); nothing was imported", report.bad_lines),
            "bad_lines": report.bad_lines,
            "errors": report.errors,
        })))
        .into_response()),
        Ok((Ok(_), false)) => ask(&app, AdminRequest::Publish { campaign: id, staging: staging.clone() }).await.map(campaign_reply),
        Ok((Err(import::StageError::Read(e)), false)) => Err(ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("the body could not be read: {e}"))),
        Ok((Err(import::StageError::Sql(e)), false)) => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("staging failed: {e}"))),
        Err(e) => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())),
    };
    let _ = std::fs::remove_file(&staging);
    result
}

/// Where an import is staged: beside the database and named after it
/// (`ringside.import-<random>.staging`), so the server finds the ones a
/// crash left, and only its own.
fn staging_path(database: &std::path::Path) -> std::path::PathBuf {
    database.with_extension(format!("import-{}.staging", random_suffix()))
}

/// Removes the staging files of imports a crash cut off (nothing of them
/// was published); called at start, before any import can run.
pub fn remove_abandoned_imports(database: &std::path::Path) {
    let Some(stem) = database.file_stem().and_then(|s| s.to_str()) else { return };
    let dir = database.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let prefix = format!("{stem}.import-");
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let abandoned = name.to_str().is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".staging"));
        if abandoned && std::fs::remove_file(entry.path()).is_ok() {
            tracing::info!(file = %entry.path().display(), "removed the staging file of an import a stop cut off");
        }
    }
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The query of a record list.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    after: Option<u64>,
    /// Any whole number, however long: outside 1..=1000 it is taken as
    /// the nearest bound.
    #[serde(default)]
    limit: Option<String>,
}

impl ListQuery {
    /// The filter it asks for, checked.
    pub(crate) fn filter(self, campaign: CampaignId) -> Result<RecordFilter, ApiError> {
        let status = match self.status {
            Some(name) => Some(
                RecordStatus::parse(&name)
                    .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("unknown status {:?}", ringside::protocol::limits::echo(&name))))?,
            ),
            None => None,
        };
        let limit = match self.limit {
            Some(text) => clamped_limit(&text)
                .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("limit {:?} is not a whole number", ringside::protocol::limits::echo(&text))))?,
            None => 100,
        };
        Ok(RecordFilter { campaign, status, after: self.after.map(RecordId), limit })
    }
}

/// A whole number of any length taken into 1..=`MAX_LIST_LIMIT`, or `None`
/// for text that is not one.
fn clamped_limit(text: &str) -> Option<usize> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = if negative { 1 } else { digits.parse::<usize>().unwrap_or(MAX_LIST_LIMIT) };
    Some(value.clamp(1, MAX_LIST_LIMIT))
}

async fn list_records(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    // axum's refusal is plain text: the JSON error instead.
    let Query(query) = query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", ringside::protocol::limits::echo(&e.body_text())))?;
    let filter = query.filter(campaign_id(id)?)?;
    Ok(campaign_reply(ask(&app, AdminRequest::Records(filter)).await?))
}
