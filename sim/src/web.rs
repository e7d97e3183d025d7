//! The page binding of the [`Hub`]: JSON in and out, so `js/sim.js` needs
//! no generated types. Never panics: bad input is a thrown `Error` with a
//! stable `code`.

use crate::hub::{Hub, SimConfig};
use ringside::center::Input;
use ringside::model::{Refusal, ServerTime, SessionId, UserId};
use wasm_bindgen::prelude::*;

/// The simulated center of one page.
#[wasm_bindgen]
pub struct Simulator {
    hub: Hub,
}

#[wasm_bindgen]
impl Simulator {
    /// A simulator from `config` (JSON of `{ profile, queues, agents }`)
    /// with its clock at `start` (milliseconds since the epoch).
    #[wasm_bindgen(constructor)]
    pub fn new(config: &str, start: f64) -> Result<Simulator, JsValue> {
        let config: SimConfig = serde_json::from_str(config).map_err(|e| thrown("bad_config", &unplaced(&e)))?;
        let hub = Hub::new(config, time(start)).map_err(|r| thrown(&r.code, &r.message))?;
        Ok(Simulator { hub })
    }

    /// The virtual time now, in milliseconds since the epoch.
    pub fn now(&self) -> f64 {
        self.hub.now().0 as f64
    }

    /// When the center next acts by itself; `undefined` when nothing is armed.
    #[wasm_bindgen(js_name = nextDeadline)]
    pub fn next_deadline(&self) -> Option<f64> {
        self.hub.next_deadline().map(|at| at.0 as f64)
    }

    /// Moves the clock to `at` and fires what is due by then.
    #[wasm_bindgen(js_name = advanceTo)]
    pub fn advance_to(&mut self, at: f64) {
        self.hub.advance_to(time(at));
    }

    /// A socket opened: its session id.
    pub fn open(&mut self) -> f64 {
        self.hub.open().0 as f64
    }

    /// A text frame from a socket.
    pub fn receive(&mut self, session: f64, text: &str) {
        self.hub.receive(SessionId(session as u64), text);
    }

    /// The page closed a socket.
    pub fn closed(&mut self, session: f64) {
        self.hub.closed(SessionId(session as u64));
    }

    /// Drops every socket of a user, as a network failure would.
    #[wasm_bindgen(js_name = dropConnections)]
    pub fn drop_connections(&mut self, user: &str) {
        self.hub.drop_connections(&UserId::from(user));
    }

    /// Every delivery queued since the last call, as a JSON array of
    /// `{ session, text }` and `{ session, close: [code, reason] }`.
    pub fn deliveries(&mut self) -> String {
        let all: Vec<_> = std::iter::from_fn(|| self.hub.poll_outgoing()).collect();
        serde_json::to_string(&all).unwrap_or_else(|_| "[]".into())
    }

    /// A customer action (JSON of one of the center's inputs from outside,
    /// see [`Hub::customer`]): its answer as
    /// JSON, or a thrown `Error` with the refusal's `code`.
    pub fn customer(&mut self, action: &str) -> Result<String, JsValue> {
        let action: Input = serde_json::from_str(action).map_err(|e| thrown("bad_request", &unplaced(&e)))?;
        let reply = self.hub.customer(action).map_err(|Refusal { code, message }| thrown(&code, &message))?;
        serde_json::to_string(&reply).map_err(|e| thrown("encode_failed", &e.to_string()))
    }

    /// Queues, agents and the next deadline, as JSON (`GET /sim/state`).
    pub fn state(&self) -> Result<String, JsValue> {
        serde_json::to_string(&self.hub.state()).map_err(|e| thrown("encode_failed", &e.to_string()))
    }
}

/// Milliseconds from the page as server time; negative or not a number is 0.
fn time(ms: f64) -> ServerTime {
    ServerTime(if ms.is_finite() && ms > 0.0 { ms as u64 } else { 0 })
}

/// What is wrong with the page's JSON, without the line and column of a
/// text the page never wrote (the binding made it from its arguments).
fn unplaced(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// A JS `Error` with a stable `code`.
fn thrown(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    error.into()
}
