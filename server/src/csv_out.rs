//! CSV for HTTP answers (campaign exports, status reports): lines with
//! quoting, UTC times, and the response with its content type.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ringside::model::ServerTime;

/// One CSV line: fields with a comma, quote or line break are quoted.
pub fn csv_line(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|f| if f.contains([',', '"', '\n', '\r']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f.clone() })
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// A server time as UTC RFC 3339 with milliseconds, as the server keeps
/// it (status changes, callback times).
pub fn rfc3339_ms(at: ServerTime) -> String {
    format!("{}.{:03}Z", date_time(at), at.0 % 1000)
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC.
fn date_time(at: ServerTime) -> String {
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
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// A CSV response body.
pub fn csv_response(body: Body) -> Response {
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_rfc3339() {
        assert_eq!(rfc3339_ms(ServerTime(0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(ServerTime(1_795_338_000_000)), "2026-11-22T09:00:00.000Z");
        assert_eq!(rfc3339_ms(ServerTime(951_782_400_000)), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339_ms(ServerTime(253_402_300_799_999)), "9999-12-31T23:59:59.999Z", "the last callback time");
        assert_eq!(rfc3339_ms(ServerTime(1_795_338_000_042)), "2026-11-22T09:00:00.042Z");
    }

    #[test]
    fn fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(csv_line(&["a,b".into(), "say \"hi\"".into(), "c".into()]), "\"a,b\",\"say \"\"hi\"\"\",c\n");
    }
}
