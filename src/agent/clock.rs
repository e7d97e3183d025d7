//! Server clock estimate from ping/pong (SPEC O7): countdowns and flashes are
//! derived from server deadlines through this offset.
//!
//! The server read its clock somewhere between the ping's send and the
//! pong's receipt, so the true offset lies in `[server - received,
//! server - sent]`. The estimate takes the lower bound: the page's idea of
//! server time then never runs ahead of the server, so an accept button never
//! flashes before deadline - 5 s (SPEC O2); it may flash late by at most one
//! round trip, and the fastest recent round trip keeps that small.
//!
//! The page's monotonic clock stands still while the device sleeps, and the
//! server's does not: after a sleep the true offset lies outside every
//! interval measured before it. A sample that no longer overlaps a newer
//! one is dropped, and so are all of them when a server timestamp (a
//! welcome, an event) shows the server already later than they allow.

use crate::model::{Millis, ServerTime};
use alloc::vec::Vec;

/// How many recent round trips are kept; the fastest one wins, since it
/// bounds the server's clock most tightly.
const SAMPLES: usize = 8;

/// The measured offset between the local monotonic clock and server time.
#[derive(Debug, Clone, Default)]
pub struct ClockSync {
    /// Server time minus local time, in milliseconds.
    offset: i64,
    /// Recent (round trip, lower-bound offset) samples.
    samples: Vec<(u64, i64)>,
    /// Whether any server time was seen yet (the offset means something).
    estimated: bool,
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

    /// A server timestamp seen on arrival (a welcome's time, an event's),
    /// with no round trip to correct it: the true offset is at least
    /// `server - received`. Before the first pong it is the estimate; after,
    /// it only shows when the samples went stale (the page slept).
    pub fn observe_one_way(&mut self, received: Millis, server: ServerTime) {
        let low = server.0 as i64 - received.0 as i64;
        if self.samples.is_empty() {
            self.offset = if self.estimated { self.offset.max(low) } else { low };
            self.estimated = true;
        } else if self.samples.iter().all(|(rtt, sample)| sample.saturating_add(*rtt as i64) < low) {
            self.samples.clear();
            self.offset = low;
        }
    }

    /// A ping sent at `sent`, answered with `server` time, received at `received`.
    pub fn observe_round_trip(&mut self, sent: Millis, received: Millis, server: ServerTime) {
        let rtt = received.0.saturating_sub(sent.0) as i64;
        let low = server.0 as i64 - received.0 as i64;
        // Intervals that do not overlap the new one were measured on a clock
        // that has since jumped against the server's.
        self.samples.retain(|(old_rtt, old)| *old <= low.saturating_add(rtt) && low <= old.saturating_add(*old_rtt as i64));
        if self.samples.len() == SAMPLES {
            self.samples.remove(0);
        }
        self.samples.push((rtt as u64, low));
        self.estimated = true;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// SPEC O2, SPEC O7: whatever the delays, the estimate of server time never
    /// runs ahead of the server, so nothing derived from it comes early.
    #[test]
    fn the_estimate_never_runs_ahead_of_the_server() {
        let true_offset = 1_000_000i64; // server = local + 1 000 000
        let mut clock = ClockSync::default();
        // Slow, lopsided round trips: the server answered at different points.
        for (sent, outbound, inbound) in [(100u64, 5u64, 170u64), (400, 160, 10), (900, 2, 2), (1_500, 80, 80)] {
            let server = ServerTime((sent + outbound) as i64 as u64 + true_offset as u64);
            let received = Millis(sent + outbound + inbound);
            clock.observe_round_trip(Millis(sent), received, server);
            let local = Millis(received.0 + 10);
            assert!(clock.server_time(local).0 <= local.0 + true_offset as u64, "ahead after ({sent}, {outbound}, {inbound})");
        }
        assert_eq!(clock.round_trip_ms(), Some(4));
        assert_eq!(clock.offset_ms(), true_offset - 2, "late by at most the fastest round trip");
    }

    /// SPEC O7: after the device slept 30 s (the page's clock stood still,
    /// the server's did not), the first pong, or an event's time even before
    /// it, puts the estimate right; the fast samples from before the sleep
    /// no longer count.
    #[test]
    fn a_sleep_of_the_page_clock_is_followed_at_the_next_server_time() {
        let mut clock = ClockSync::default();
        clock.observe_round_trip(Millis(1_000), Millis(1_002), ServerTime(101_001));
        clock.observe_round_trip(Millis(16_000), Millis(16_040), ServerTime(116_020));
        assert_eq!(clock.offset_ms(), 99_999);
        // 30 s of sleep: local 20 000 is server 150 000, not 120 000.
        let mut pong = clock.clone();
        pong.observe_round_trip(Millis(20_000), Millis(20_050), ServerTime(150_025));
        assert_eq!(pong.offset_ms(), 129_975, "the samples from before the sleep are dropped");
        assert_eq!(pong.round_trip_ms(), Some(50));
        let mut event = clock.clone();
        event.observe_one_way(Millis(20_010), ServerTime(150_000));
        assert_eq!(event.offset_ms(), 129_990, "an event from after the sleep shows it");
        event.observe_one_way(Millis(20_020), ServerTime(110_000));
        assert_eq!(event.offset_ms(), 129_990, "an older time (a replayed event) changes nothing");
        let mut steady = clock.clone();
        steady.observe_one_way(Millis(17_000), ServerTime(116_999));
        assert_eq!(steady.offset_ms(), 99_999, "a time the samples allow keeps them");
    }
}
