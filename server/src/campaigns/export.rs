//! `GET /admin/campaigns/{id}/export`: every record of a campaign with its
//! results, as CSV, read from the list a page at a time and streamed out.
//!
//! Columns: `id, name, number, chained, status, attempts, result,
//! callback_at, callback_kind, agent`, then the campaign's fields.
//! `callback_at` is UTC in RFC 3339 (`2026-11-22T14:30:00Z`).

use super::{ask, campaign, campaign_id, csv_response, MAX_LIST_LIMIT};
use crate::http_api::{require_admin, ApiError};
use crate::owner::{AdminReply, AdminRequest};
use crate::store::RecordFilter;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use ringside::model::campaign::{CallbackKind, CallingRecord};
use ringside::model::{CampaignId, RecordId, ServerTime};

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
        schedule.map(|s| rfc3339(s.at)).unwrap_or_default(),
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

/// One CSV line: fields with a comma, quote or line break are quoted.
fn csv_line(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|f| if f.contains([',', '"', '\n', '\r']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f.clone() })
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// A server time as UTC RFC 3339, to the second.
pub fn rfc3339(at: ServerTime) -> String {
    let secs = at.0 / 1000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_rfc3339() {
        assert_eq!(rfc3339(ServerTime(0)), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(ServerTime(1_795_338_000_000)), "2026-11-22T09:00:00Z");
        assert_eq!(rfc3339(ServerTime(951_782_400_000)), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(csv_line(&["a,b".into(), "say \"hi\"".into(), "c".into()]), "\"a,b\",\"say \"\"hi\"\"\",c\n");
    }
}
