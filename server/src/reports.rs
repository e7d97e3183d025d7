//! `GET /reports/status`: one user's or one team's status history for a
//! time range (SPEC S6), as JSON or CSV, for supervisors and admins.
//!
//! Query: `user=ana` or `team=north`, `from` and `to` in server
//! milliseconds (at most 31 days apart), `format=json` (the default) or
//! `format=csv` (also chosen by `Accept: text/csv`).
//!
//! JSON: `{"from": ms, "to": ms, "rows": [{"user", "status", "label",
//! "colour", "secondary", "automatic", "from", "to"}]}`, one row per status
//! held in the range, by user then time. CSV: the same columns, times as
//! UTC RFC 3339 with milliseconds.

use crate::csv_out::{csv_line, csv_response, rfc3339_ms};
use crate::http_api::{ask_owner, require_supervisor, unavailable, ApiError};
use crate::owner::{Input, Interval, ReportFailure, ReportRequest, ReportScope, MAX_REPORT_ROWS};
use crate::AppState;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use ringside::model::{ServerTime, TeamId, UserId};
use ringside::protocol::limits::{check_name, MAX_ID_BYTES};
use serde::Deserialize;

/// The longest range one report covers.
pub const MAX_REPORT_RANGE_MS: u64 = 31 * 24 * 3_600_000;

/// The report route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/reports/status", get(status_report))
}

#[derive(Deserialize)]
struct ReportQuery {
    user: Option<String>,
    team: Option<String>,
    from: u64,
    to: u64,
    format: Option<String>,
}

fn bad(message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_argument", message)
}

async fn status_report(State(app): State<AppState>, headers: HeaderMap, query: Result<Query<ReportQuery>, QueryRejection>) -> Result<Response, ApiError> {
    require_supervisor(&app, &headers)?;
    let Ok(Query(query)) = query else { return Err(bad("the query needs user or team, from and to (server milliseconds)")) };
    let scope = match (query.user, query.team) {
        (Some(user), None) => {
            check_name("user", &user, MAX_ID_BYTES).map_err(|e| bad(&e.to_string()))?;
            ReportScope::User(UserId(user))
        }
        (None, Some(team)) => {
            check_name("team", &team, MAX_ID_BYTES).map_err(|e| bad(&e.to_string()))?;
            ReportScope::Team(TeamId(team))
        }
        _ => return Err(bad("name exactly one of user and team")),
    };
    if query.to <= query.from || query.to - query.from > MAX_REPORT_RANGE_MS {
        return Err(bad("from must be before to, at most 31 days apart"));
    }
    let csv = match query.format.as_deref() {
        Some("csv") => true,
        Some("json") => false,
        Some(_) => return Err(bad("format is json or csv")),
        None => headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/csv")),
    };
    let request = ReportRequest { scope, from: ServerTime(query.from), to: ServerTime(query.to) };
    let rows = match ask_owner(&app, |reply| Input::Report { request, reply }).await? {
        Ok(rows) => rows,
        Err(ReportFailure::UnknownTeam) => return Err(ApiError::new(StatusCode::NOT_FOUND, "unknown_team", "no such team")),
        Err(ReportFailure::TooLarge) => {
            return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "report_too_large", format!("over {MAX_REPORT_ROWS} rows: ask for a shorter range")));
        }
        Err(ReportFailure::Unavailable) => return Err(unavailable()),
    };
    if csv {
        return Ok(csv_response(Body::from(csv_text(&rows))));
    }
    Ok(Json(serde_json::json!({ "from": query.from, "to": query.to, "rows": rows })).into_response())
}

fn csv_text(rows: &[Interval]) -> String {
    let mut text = csv_line(&["user", "status", "label", "colour", "secondary", "automatic", "from", "to"].map(String::from));
    for row in rows {
        text.push_str(&csv_line(&[
            row.user.to_string(),
            row.status.to_string(),
            row.label.clone(),
            row.colour.clone(),
            row.secondary.as_ref().map(|s| s.to_string()).unwrap_or_default(),
            row.automatic.to_string(),
            rfc3339_ms(row.from),
            rfc3339_ms(row.to),
        ]));
    }
    text
}
