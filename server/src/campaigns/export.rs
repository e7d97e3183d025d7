//! `GET /admin/campaigns/{id}/export`: every record of a campaign with its
//! results, as CSV, read from the list a page at a time and streamed out.
//!
//! Columns: `id, name, number, chained, status, attempts, result,
//! callback_at, callback_kind, agent`, then the campaign's fields.
//! `callback_at` is UTC in RFC 3339 with milliseconds (`2026-11-22T14:30:00.000Z`).

use super::{ask, campaign, campaign_id, MAX_LIST_LIMIT};
use crate::csv_out::{csv_line, csv_response, rfc3339_ms};
use crate::http_api::{require_admin, ApiError};
use crate::owner::{AdminReply, AdminRequest};
use crate::store::RecordFilter;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use ringside::model::campaign::{CallbackKind, CallingRecord};
use ringside::model::{CampaignId, RecordId};

/// The fixed columns, before the campaign's fields.
pub const COLUMNS: [&str; 10] = ["id", "name", "number", "chained", "status", "attempts", "result", "callback_at", "callback_kind", "agent"];

pub(super) async fn export(State(app): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    require_admin(&app, &headers)?;
    let id = campaign_id(id)?;
    let fields = campaign(&app, &id).await?.fields;
    let mut header: Vec<String> = COLUMNS.map(str::to_owned).to_vec();
    header.extend(fields.iter().cloned());
    let first = csv_line(&header);
    let pages = futures_util::stream::unfold(Some(Page { app, campaign: id, after: None, fields }), |page| async move {
        let mut page = page?;
        let filter = RecordFilter { campaign: page.campaign.clone(), status: None, after: page.after, limit: MAX_LIST_LIMIT };
        let records = match ask(&page.app, AdminRequest::Records(filter)).await {
            Ok(AdminReply::Records(records)) => records,
            Ok(_) => return None,
            Err(e) => return Some((Err(std::io::Error::other(format!("{e:?}"))), None)),
        };
        let last = records.last().map(|r| r.id)?;
        let text: String = records.iter().map(|r| csv_line(&row(r, &page.fields))).collect();
        page.after = Some(last);
        Some((Ok::<_, std::io::Error>(text), Some(page)))
    });
    let head = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) });
    Ok(csv_response(Body::from_stream(futures_util::StreamExt::chain(head, pages))))
}

struct Page {
    app: AppState,
    campaign: CampaignId,
    after: Option<RecordId>,
    fields: Vec<String>,
}

fn row(record: &CallingRecord, fields: &[String]) -> Vec<String> {
    let schedule = record.schedule.as_ref();
    let mut row = vec![
        record.id.to_string(),
        record.name.clone(),
        record.chain.first().cloned().unwrap_or_default(),
        record.chain.iter().skip(1).cloned().collect::<Vec<_>>().join("|"),
        record.status.name().to_owned(),
        record.attempts.to_string(),
        record.result.clone().unwrap_or_default(),
        schedule.map(|s| rfc3339_ms(s.at)).unwrap_or_default(),
        schedule.map(|s| match s.kind {
            CallbackKind::Personal => "personal".to_owned(),
            CallbackKind::Campaign => "campaign".to_owned(),
        })
        .unwrap_or_default(),
        record.agent.as_ref().map(|a| a.to_string()).unwrap_or_default(),
    ];
    row.extend(fields.iter().map(|f| record.fields.get(f).cloned().unwrap_or_default()));
    row
}
