//! A node's front door in cluster mode: it serves several centers, so each
//! request goes to one center's routes (its owner's, or its gateway's),
//! chosen by `?center=NAME`, else the `x-ringside-center` header (what a
//! gateway adds to what it forwards), else the center its bearer token
//! names, else the home center (the first configured). `/healthz` and
//! `/metrics` answer for the whole node.

use super::node::{dispatch, Switch};
use super::share::Share;
use super::OwnerAddress;
use crate::auth::Keys;
use crate::metrics::Metrics;
use crate::owner::OwnerSender;
use crate::presence_adapter::PresenceAdapter;
use crate::ws::refuse;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::fmt::Write as _;
use std::sync::Arc;
use tokio::sync::watch;

/// The header a gateway names the center in when it forwards a request.
pub const CENTER_HEADER: &str = "x-ringside-center";

/// One center as the front door sees it.
#[derive(Debug)]
pub(super) struct Center {
    /// Its name.
    pub name: String,
    /// Its routes in force.
    pub switch: Switch,
    /// Where its owner serves, while another node owns it.
    pub owner: OwnerAddress,
    /// Its counters.
    pub metrics: Arc<Metrics>,
    /// Whether this node owns it.
    pub ownership: watch::Receiver<Option<OwnerSender>>,
}

impl Center {
    /// This center's health on this node: served here, or relayed to an
    /// owner that is known.
    fn health(&self) -> Result<String, String> {
        if self.ownership.borrow().is_some() {
            return self.metrics.healthy().map(|()| "ok".to_owned()).map_err(str::to_owned);
        }
        self.owner.get().map(|owner| format!("ok (gateway to the owner at {owner})")).ok_or_else(|| "no node owns the center".to_owned())
    }
}

/// What the front door knows.
#[derive(Clone, Debug)]
pub(super) struct Served {
    centers: Arc<Vec<Center>>,
    keys: Keys,
    share: Arc<Share>,
    presence: Option<Arc<dyn PresenceAdapter>>,
}

impl Served {
    /// The centers, home first.
    pub fn new(centers: Vec<Center>, keys: Keys, share: Arc<Share>, presence: Option<Arc<dyn PresenceAdapter>>) -> Served {
        Served { centers: Arc::new(centers), keys, share, presence }
    }

    fn find(&self, name: &str) -> Option<&Center> {
        self.centers.iter().find(|c| c.name == name)
    }

    /// The center a request is for; `Err` with the name asked for when this
    /// node serves no such center.
    fn choose(&self, request: &Request) -> Result<&Center, String> {
        let named = query_center(request.uri().query())
            .or_else(|| request.headers().get(CENTER_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned))
            .or_else(|| self.token_center(request.headers()));
        match named {
            Some(name) => self.find(&name).ok_or(name),
            // The settings hold at least one center: the home one.
            None => self.centers.first().ok_or_else(String::new),
        }
    }

    /// The center a valid bearer token names, if this node serves it; any
    /// other token goes to the home center, whose keys refuse it with the
    /// usual 401.
    fn token_center(&self, headers: &HeaderMap) -> Option<String> {
        let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        self.keys.center_of(crate::auth::bearer_token(value)?).ok().filter(|center| self.find(center).is_some())
    }
}

/// The value of `center=` in a query string.
fn query_center(query: Option<&str>) -> Option<String> {
    query?.split('&').find_map(|pair| pair.strip_prefix("center=")).map(str::to_owned)
}

/// The node's routes.
pub(super) fn router(served: Served) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .method_not_allowed_fallback(crate::method_not_allowed)
        .fallback(to_center)
        .with_state(served)
}

/// Any path but the node's own: the chosen center's routes.
async fn to_center(State(served): State<Served>, request: Request) -> Response {
    match served.choose(&request) {
        Ok(center) => dispatch(State(center.switch.clone()), request).await,
        Err(name) => refuse(StatusCode::NOT_FOUND, "unknown_center", &not_served(&name)),
    }
}

/// Why a center named in a request cannot be served here.
fn not_served(name: &str) -> String {
    format!("this node serves no center {}", ringside::protocol::limits::echo(name))
}

/// `GET /healthz`: 200 when every center (or the one asked for) is served,
/// here or through its owner; 503 with the reasons otherwise; the JSON 404
/// for a center the node does not serve.
async fn healthz(State(served): State<Served>, uri: axum::http::Uri) -> Response {
    let asked: Vec<&Center> = match query_center(uri.query()) {
        Some(name) => match served.find(&name) {
            Some(center) => vec![center],
            None => return refuse(StatusCode::NOT_FOUND, "unknown_center", &not_served(&name)),
        },
        None => served.centers.iter().collect(),
    };
    let healths: Vec<(&str, Result<String, String>)> = asked.iter().map(|c| (c.name.as_str(), c.health())).collect();
    let status = if healths.iter().all(|(_, h)| h.is_ok()) { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    if let [(_, only)] = healths.as_slice() {
        return (status, only.clone().unwrap_or_else(|e| e)).into_response();
    }
    let mut text = String::from(if status == StatusCode::OK { "ok\n" } else { "unavailable\n" });
    for (name, health) in healths {
        let _ = writeln!(text, "{name}: {}", health.unwrap_or_else(|e| e));
    }
    (status, text).into_response()
}

/// `GET /metrics`: every center's counters labelled by center, and the
/// node's share of the centers.
async fn metrics(State(served): State<Served>) -> impl IntoResponse {
    let sets: Vec<(&str, &Metrics)> = served.centers.iter().map(|c| (c.name.as_str(), c.metrics.as_ref())).collect();
    let mut text = Metrics::render_centers(&sets);
    let node = [
        ("ringside_cluster_nodes", "Nodes alive in the cluster, as this node last counted them.", served.share.live()),
        ("ringside_centers_owned", "Centers this node owns.", served.share.owned()),
        ("ringside_centers_fair_share", "The most centers this node should own: centers / nodes, rounded up.", served.share.fair()),
    ];
    for (name, help, value) in node {
        let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
    }
    if let Some(adapter) = &served.presence {
        text += &adapter.stats().render();
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}

#[cfg(test)]
mod tests {
    use super::query_center;

    #[test]
    fn the_center_is_read_from_the_query() {
        assert_eq!(query_center(Some("center=north")).as_deref(), Some("north"));
        assert_eq!(query_center(Some("a=1&center=south&b=2")).as_deref(), Some("south"));
        assert_eq!(query_center(Some("centers=x")), None);
        assert_eq!(query_center(None), None);
    }
}
