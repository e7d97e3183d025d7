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
//!
//! The owner answers who the report covers, then the history a bounded page
//! at a time, like the campaign export; the rows become intervals here, off
//! the owner thread.

use crate::csv_out::{csv_line, csv_response, rfc3339_ms};
use crate::http_api::{ask_owner, require_supervisor, unavailable, ApiError};
use crate::owner::{Input, PageRequest, ReportFailure, ReportRead, ReportScope};
use crate::store::{HistoryCursor, StatusRow};
use crate::AppState;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use ringside::model::profile::StatusDef;
use ringside::model::{SecondaryId, ServerTime, StatusId, TeamId, UserId};
use ringside::protocol::limits::{check_name, MAX_ID_BYTES};
use serde::{Deserialize, Serialize};

/// The longest range one report covers.
pub const MAX_REPORT_RANGE_MS: u64 = 31 * 24 * 3_600_000;

/// The most rows one report returns (SPEC N8); more is 413
/// `report_too_large`.
pub const MAX_REPORT_ROWS: usize = 50_000;

/// The report route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/reports/status", get(status_report))
}

/// One status held for a time: a row of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interval {
    /// Whose status.
    pub user: UserId,
    /// The primary status.
    pub status: StatusId,
    /// Its label in the profile.
    pub label: String,
    /// Its colour in the profile.
    pub colour: String,
    /// The secondary status.
    pub secondary: Option<SecondaryId>,
    /// Whether auto-away set it (S11).
    pub automatic: bool,
    /// When it began, or the range's start if earlier.
    pub from: ServerTime,
    /// When it ended: the next change, or the range's end (or now, for a
    /// status still held in a range that reaches the future).
    pub to: ServerTime,
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

/// A user or team id from the query: not empty, within its bound, no
/// control characters.
fn report_id(field: &'static str, id: String) -> Result<String, ApiError> {
    if id.is_empty() {
        return Err(bad(&format!("{field} is empty")));
    }
    check_name(field, &id, MAX_ID_BYTES).map_err(|e| bad(&e.to_string()))?;
    Ok(id)
}

async fn status_report(State(app): State<AppState>, headers: HeaderMap, query: Result<Query<ReportQuery>, QueryRejection>) -> Result<Response, ApiError> {
    require_supervisor(&app, &headers)?;
    let Ok(Query(query)) = query else { return Err(bad("the query needs user or team, from and to (server milliseconds)")) };
    let scope = match (query.user, query.team) {
        (Some(user), None) => ReportScope::User(UserId(report_id("user", user)?)),
        (None, Some(team)) => ReportScope::Team(TeamId(report_id("team", team)?)),
        _ => return Err(bad("name exactly one of user and team")),
    };
    if query.to <= query.from || query.to - query.from > MAX_REPORT_RANGE_MS {
        return Err(bad("from must be before to, at most 31 days apart"));
    }
    let csv = match query.format.as_deref() {
        Some("csv") => true,
        Some("json") => false,
        Some(_) => return Err(bad("format is json or csv")),
        None => headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(prefers_csv),
    };
    let (from, to) = (ServerTime(query.from), ServerTime(query.to));
    let scope = ask_owner(&app, |reply| Input::Report(ReportRead::Scope(scope, reply))).await?.map_err(failure)?;
    // Nothing has happened yet in a range that starts at or after now: no
    // history to read.
    let end = to.min(scope.now);
    let mut rows = Vec::new();
    let mut cursor = (from < end).then(HistoryCursor::default);
    while let Some(at) = cursor {
        let request = PageRequest { users: scope.users.clone(), from, to, cursor: at };
        let page = ask_owner(&app, |reply| Input::Report(ReportRead::Page(request, reply))).await?.map_err(failure)?;
        rows.extend(page.rows);
        if rows.len() > MAX_REPORT_ROWS {
            return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "report_too_large", format!("over {MAX_REPORT_ROWS} rows: ask for a shorter range")));
        }
        cursor = page.next;
    }
    let rows = intervals(&rows, from, end, &scope.statuses);
    if csv {
        return Ok(csv_response(Body::from(csv_text(&rows))));
    }
    Ok(Json(serde_json::json!({ "from": query.from, "to": query.to, "rows": rows })).into_response())
}

fn failure(failure: ReportFailure) -> ApiError {
    match failure {
        ReportFailure::UnknownTeam => ApiError::new(StatusCode::NOT_FOUND, "unknown_team", "no such team"),
        ReportFailure::Unavailable => unavailable(),
    }
}

/// Rows (by user, then time) as intervals clipped to `[from, end]`, with
/// the catalogue's label and colour (an unknown status shows its id).
fn intervals(rows: &[StatusRow], from: ServerTime, end: ServerTime, statuses: &[StatusDef]) -> Vec<Interval> {
    rows.iter()
        .enumerate()
        // A status that begins at the range's end is not held in it.
        .filter(|(_, row)| row.at < end)
        .map(|(i, row)| {
            let next = rows.get(i + 1).filter(|n| n.user == row.user).map(|n| n.at);
            let def = statuses.iter().find(|s| s.id == row.status);
            let start = row.at.max(from);
            Interval {
                user: row.user.clone(),
                status: row.status.clone(),
                label: def.map_or_else(|| row.status.to_string(), |d| d.label.clone()),
                colour: def.map(|d| d.colour.clone()).unwrap_or_default(),
                secondary: row.secondary.clone(),
                automatic: row.automatic,
                from: start,
                to: next.unwrap_or(end).max(start),
            }
        })
        .collect()
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

/// Whether an `Accept` header rates CSV above JSON: media types compared
/// without regard to case, each with its `q` (1 when left out), `text/*`
/// counting for CSV and `application/*` or `*/*` for JSON; a tie, or no
/// mention of CSV, is JSON.
fn prefers_csv(accept: &str) -> bool {
    let weight = |wanted: &[&str]| {
        accept
            .split(',')
            .filter_map(|range| {
                let mut parts = range.split(';');
                let media = parts.next()?.trim().to_ascii_lowercase();
                let q = parts.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
                wanted.contains(&media.as_str()).then_some(q)
            })
            .fold(0.0_f32, f32::max)
    };
    weight(&["text/csv", "text/*"]) > weight(&["application/json", "application/*", "*/*"])
}

#[cfg(test)]
mod tests {

    #[test]
    fn accept_chooses_csv_only_when_it_rates_csv_highest() {
        for (accept, csv) in [
            ("text/csv", true),
            ("TEXT/CSV", true),
            ("text/csv; charset=utf-8", true),
            ("application/json, text/csv", false),
            ("text/csv;q=0.5, application/json", false),
            ("text/csv, */*;q=0.1", true),
            ("*/*", false),
            ("text/*", true),
            ("text/*, application/json;q=0.5", true),
            ("text/*, */*", false),
            ("", false),
        ] {
            assert_eq!(super::prefers_csv(accept), csv, "{accept}");
        }
    }
    use super::*;
    use ringside::model::profile::{Preset, Profile};

    fn row(user: &str, at: u64, status: &str) -> StatusRow {
        StatusRow { user: UserId::from(user), at: ServerTime(at), status: StatusId::from(status), secondary: None, automatic: false }
    }

    // SPEC S6: the status in force at the start is clipped to it; each
    // interval ends at the user's next change, the last at the end; labels
    // and colours come from the catalogue.
    #[test]
    fn rows_become_intervals_clipped_to_the_range() {
        let rows = [row("ana", 50, "idle"), row("ana", 120, "available"), row("ben", 130, "gone")];
        let statuses = Profile::preset(Preset::ContactCenter).statuses;
        let found = intervals(&rows, ServerTime(100), ServerTime(200), &statuses);
        let spans: Vec<(&str, &str, &str, &str, u64, u64)> =
            found.iter().map(|i| (i.user.as_str(), i.status.as_str(), i.label.as_str(), i.colour.as_str(), i.from.0, i.to.0)).collect();
        assert_eq!(
            spans,
            [("ana", "idle", "Idle", "#f9a825", 100, 120), ("ana", "available", "Available", "#2e7d32", 120, 200), ("ben", "gone", "gone", "", 130, 200)]
        );
        // A change at the range's end starts no row: the range stops before it.
        let at_end = [row("ana", 50, "idle"), row("ana", 200, "available")];
        let found = intervals(&at_end, ServerTime(100), ServerTime(200), &statuses);
        let spans: Vec<(&str, u64, u64)> = found.iter().map(|i| (i.status.as_str(), i.from.0, i.to.0)).collect();
        assert_eq!(spans, [("idle", 100, 200)]);
    }
}
