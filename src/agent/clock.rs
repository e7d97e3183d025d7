//! Server clock estimate from ping/pong (SPEC O7): countdowns and flashes are
//! derived from server deadlines through this offset.

use crate::model::{Millis, ServerTime};

/// How many recent round trips are kept; the fastest one wins, since its
/// midpoint is the tightest bound on the server's clock.
const SAMPLES: usize = 8;

/// The measured offset between the local monotonic clock and server time.
#[derive(Debug, Clone, Default)]
pub struct ClockSync {
    /// Server time minus local time, in milliseconds.
    offset: i64,
    /// Recent (round trip, offset) samples.
    samples: Vec<(u64, i64)>,
}

impl ClockSync {
    /// Server time minus local time, in milliseconds.
    pub fn offset_ms(&self) -> i64 {
        self.offset
    }

    /// The round trip of the sample in use, if any was measured.
    pub fn round_trip_ms(&self) -> Option<u64> {
        self.samples.iter().map(|(rtt, _)| *rtt).min()
    }

    /// A server timestamp seen on arrival, with no round trip to correct it:
    /// used only until the first pong.
    pub fn observe_one_way(&mut self, received: Millis, server: ServerTime) {
        if self.samples.is_empty() {
            self.offset = server.0 as i64 - received.0 as i64;
        }
    }

    /// A ping sent at `sent`, answered with `server` time, received at `received`.
    pub fn observe_round_trip(&mut self, sent: Millis, received: Millis, server: ServerTime) {
        let rtt = received.0.saturating_sub(sent.0);
        let midpoint = sent.0 + rtt / 2;
        if self.samples.len() == SAMPLES {
            self.samples.remove(0);
        }
        self.samples.push((rtt, server.0 as i64 - midpoint as i64));
        if let Some((_, offset)) = self.samples.iter().min_by_key(|(rtt, _)| *rtt) {
            self.offset = *offset;
        }
    }

    /// Local time as server time.
    pub fn server_time(&self, local: Millis) -> ServerTime {
        ServerTime(local.0.saturating_add_signed(self.offset))
    }

    /// Server time as local time.
    pub fn local_time(&self, server: ServerTime) -> Millis {
        Millis(server.0.saturating_add_signed(-self.offset))
    }
}
