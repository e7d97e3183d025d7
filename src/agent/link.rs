//! The connection lifecycle of a browser engine, sans-IO: when to open a
//! socket, when to retry (exponential backoff with full jitter), and when to
//! stop and wait for a new token. The wasm driver executes its decisions.

use crate::model::Millis;
use crate::codec::Encode;
use serde::Serialize;

/// First retry window, in milliseconds.
const BASE_DELAY_MS: u64 = 500;
/// Largest retry window, in milliseconds.
const MAX_DELAY_MS: u64 = 30_000;

/// Close codes after which retrying with the same token is pointless.
pub const UNAUTHORIZED_CLOSE_CODES: [u16; 2] = [4001, 4003];

/// The close code of a hello in a protocol version the server does not speak.
pub const INCOMPATIBLE_CLOSE_CODE: u16 = 4005;

/// Where the connection is, as the page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(test, ts(rename = "ConnectionState"))]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Not started, or closed by the page.
    Closed,
    /// A socket is opening or the hello is unanswered.
    Connecting,
    /// Welcomed: state is in sync.
    Live,
    /// Lost; a retry is scheduled.
    Waiting,
    /// The server refused the token; waiting for a new one.
    Unauthorized,
    /// The server speaks another protocol version (it closed with 4005, or
    /// welcomed in another version). Terminal: retrying cannot help, only a
    /// package that speaks its version can; the engine never leaves this
    /// state by itself.
    Incompatible,
}

/// What the driver must do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkAction {
    /// Open a socket now.
    Open,
    /// Open a socket at this local time.
    RetryAt(Millis),
    /// Do nothing until the page acts.
    Stay,
}

/// The connection lifecycle.
#[derive(Debug, Clone)]
pub struct Link {
    state: LinkState,
    /// Failed attempts since the last welcome.
    failures: u32,
    rng: u64,
}

impl Link {
    /// A closed link; `seed` drives the jitter (give it real randomness in
    /// the page, a fixed value in tests).
    pub fn new(seed: u64) -> Link {
        Link { state: LinkState::Closed, failures: 0, rng: seed | 1 }
    }

    /// The current state.
    pub fn state(&self) -> LinkState {
        self.state
    }

    /// Failed attempts since the last welcome.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The page asks to connect (first time, or after a new token).
    pub fn start(&mut self) -> LinkAction {
        self.failures = 0;
        self.state = LinkState::Connecting;
        LinkAction::Open
    }

    /// The retry time has come.
    pub fn retry_due(&mut self) -> LinkAction {
        if self.state != LinkState::Waiting {
            return LinkAction::Stay;
        }
        self.state = LinkState::Connecting;
        LinkAction::Open
    }

    /// The server welcomed us: in sync, and the backoff starts over.
    pub fn welcomed(&mut self) {
        self.state = LinkState::Live;
        self.failures = 0;
    }

    /// The socket closed (or failed to open) with `code` at local time `now`.
    pub fn closed(&mut self, now: Millis, code: u16) -> LinkAction {
        match self.state {
            LinkState::Closed | LinkState::Unauthorized | LinkState::Incompatible => LinkAction::Stay,
            _ if code == INCOMPATIBLE_CLOSE_CODE => {
                self.state = LinkState::Incompatible;
                LinkAction::Stay
            }
            _ if UNAUTHORIZED_CLOSE_CODES.contains(&code) => {
                self.state = LinkState::Unauthorized;
                LinkAction::Stay
            }
            _ => {
                self.failures = self.failures.saturating_add(1);
                self.state = LinkState::Waiting;
                LinkAction::RetryAt(now.plus(self.next_delay()))
            }
        }
    }

    /// The page closed the engine.
    pub fn close(&mut self) {
        self.state = LinkState::Closed;
    }

    /// The server speaks another protocol version: stop for good (the
    /// driver drops the socket).
    pub fn incompatible(&mut self) {
        self.state = LinkState::Incompatible;
    }

    /// Full jitter: uniform in [0, min(cap, base * 2^(failures - 1))], so
    /// thousands of desks cut off together do not come back together.
    fn next_delay(&mut self) -> u64 {
        let exponent = self.failures.saturating_sub(1).min(16);
        let window = BASE_DELAY_MS.saturating_mul(1 << exponent).min(MAX_DELAY_MS);
        // xorshift64: small, deterministic for a seed, good enough for jitter.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng % (window + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SPEC N2: after any drop the engine retries with a growing, jittered
    /// delay, and starts over once welcomed.
    #[test]
    fn retries_back_off_with_full_jitter_and_reset_on_welcome() {
        let mut link = Link::new(42);
        assert_eq!(link.start(), LinkAction::Open);
        let mut windows = Vec::new();
        for attempt in 1..=10u32 {
            let LinkAction::RetryAt(at) = link.closed(Millis(1_000), 1006) else { panic!("a retry") };
            let window = (BASE_DELAY_MS << (attempt - 1).min(16)).min(MAX_DELAY_MS);
            assert!(at.0 - 1_000 <= window, "attempt {attempt}: {} > {window}", at.0 - 1_000);
            windows.push(at.0 - 1_000);
            assert_eq!(link.state(), LinkState::Waiting);
            assert_eq!(link.retry_due(), LinkAction::Open);
        }
        assert!(windows.iter().any(|d| *d > 8_000), "the window grows: {windows:?}");
        link.welcomed();
        assert_eq!(link.failures(), 0);
        let LinkAction::RetryAt(at) = link.closed(Millis(0), 1006) else { panic!("a retry") };
        assert!(at.0 <= BASE_DELAY_MS);
    }

    /// SPEC N5: a refused or expired token stops the retries until the page
    /// gives a new one.
    #[test]
    fn an_unauthorized_close_waits_for_a_new_token() {
        let mut link = Link::new(7);
        link.start();
        assert_eq!(link.closed(Millis(0), 4003), LinkAction::Stay);
        assert_eq!(link.state(), LinkState::Unauthorized);
        assert_eq!(link.retry_due(), LinkAction::Stay);
        assert_eq!(link.start(), LinkAction::Open);
        link.close();
        assert_eq!(link.closed(Millis(0), 1006), LinkAction::Stay, "closed by the page: no retry");
    }

    /// N5 (a protocol-version refusal is permanent): close 4005, or a
    /// welcome in another version, ends retries for good.
    #[test]
    fn a_protocol_version_refusal_is_terminal() {
        let mut link = Link::new(3);
        link.start();
        assert_eq!(link.closed(Millis(0), INCOMPATIBLE_CLOSE_CODE), LinkAction::Stay);
        assert_eq!(link.state(), LinkState::Incompatible);
        assert_eq!(link.retry_due(), LinkAction::Stay);
        assert_eq!(link.closed(Millis(10), 1006), LinkAction::Stay, "a later close schedules nothing");
        assert_eq!(link.state(), LinkState::Incompatible);

        let mut link = Link::new(4);
        link.start();
        link.incompatible();
        assert_eq!(link.closed(Millis(0), 1000), LinkAction::Stay);
        assert_eq!(link.state(), LinkState::Incompatible);
    }
}
