//! Latency samples and what one phase of traffic counted.

use std::collections::BTreeMap;
use std::fmt;

/// Latencies of one kind (command answer, ping-to-pong, event fan-out) in
/// microseconds, and how many never came. A missing answer counts as slower
/// than any measured one, so a server that drops work cannot look fast.
#[derive(Debug, Default, Clone)]
pub struct Latencies {
    samples: Vec<u32>,
    missing: u64,
}

/// One figure of a [`Latencies`]: a measured time, or "never came" when the
/// percentile falls among the missing answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Latency {
    /// Measured, in microseconds.
    Micros(u32),
    /// The answer never came within the phase's drain time.
    Missing,
}

impl Latencies {
    /// Records one measured latency.
    pub fn record(&mut self, micros: u64) {
        self.samples.push(u32::try_from(micros).unwrap_or(u32::MAX));
    }

    /// Records answers that never came.
    pub fn record_missing(&mut self, count: u64) {
        self.missing += count;
    }

    /// Adds another agent's samples to these.
    pub fn merge(&mut self, other: Latencies) {
        self.samples.extend(other.samples);
        self.missing += other.missing;
    }

    /// How many answers were measured.
    pub fn measured(&self) -> u64 {
        self.samples.len() as u64
    }

    /// How many answers never came.
    pub fn missing(&self) -> u64 {
        self.missing
    }

    /// Sorts the samples so that percentiles can be read.
    pub fn summarize(mut self) -> LatencySummary {
        self.samples.sort_unstable();
        LatencySummary { sorted: self.samples, missing: self.missing }
    }
}

/// Sorted latencies, ready for percentiles.
#[derive(Debug, Default, Clone)]
pub struct LatencySummary {
    sorted: Vec<u32>,
    missing: u64,
}

impl LatencySummary {
    /// The nearest-rank percentile `q` (0 < q <= 1), missing answers ranked
    /// last; `None` when nothing was expected at all.
    pub fn percentile(&self, q: f64) -> Option<Latency> {
        let total = self.sorted.len() as u64 + self.missing;
        if total == 0 {
            return None;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        Some(match self.sorted.get(rank as usize - 1) {
            Some(&micros) => Latency::Micros(micros),
            None => Latency::Missing,
        })
    }

    /// The same latencies without the missing answers: how late the
    /// answers that did come were.
    pub fn answered_only(&self) -> LatencySummary {
        LatencySummary { sorted: self.sorted.clone(), missing: 0 }
    }

    /// Answers that never came.
    pub fn missing(&self) -> u64 {
        self.missing
    }

    /// The median.
    pub fn p50(&self) -> Option<Latency> {
        self.percentile(0.50)
    }

    /// The 99th percentile.
    pub fn p99(&self) -> Option<Latency> {
        self.percentile(0.99)
    }

    /// The slowest.
    pub fn max(&self) -> Option<Latency> {
        self.percentile(1.0)
    }
}

impl Latency {
    /// In milliseconds; `None` when missing.
    pub fn millis(self) -> Option<f64> {
        match self {
            Latency::Micros(micros) => Some(f64::from(micros) / 1000.0),
            Latency::Missing => None,
        }
    }
}

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.millis() {
            Some(ms) if ms < 10.0 => write!(f, "{ms:.2} ms"),
            Some(ms) if ms < 1000.0 => write!(f, "{ms:.1} ms"),
            Some(ms) => write!(f, "{:.2} s", ms / 1000.0),
            None => f.write_str("unanswered"),
        }
    }
}

/// Formats an optional latency, "-" when nothing was measured.
pub fn show(latency: Option<Latency>) -> String {
    latency.map_or_else(|| "-".to_owned(), |l| l.to_string())
}

/// Everything one phase of traffic counted, for one agent or (merged) for
/// all of them.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    /// Commands scheduled (sent or due to be sent).
    pub scheduled: u64,
    /// Commands acknowledged.
    pub acked: u64,
    /// From the command's scheduled send time to its ack.
    pub ack: Latencies,
    /// Pings scheduled.
    pub pings: u64,
    /// From the ping's scheduled send time to its pong.
    pub pong: Latencies,
    /// From an event's server time (`at`) to its arrival, on the wall clock.
    pub fanout: Latencies,
    /// Refused commands of this phase, by code (`busy`, `rate_limited`...).
    pub nacks: BTreeMap<String, u64>,
    /// Connection-level errors and closes, by code.
    pub errors: BTreeMap<String, u64>,
    /// Answers and pongs that belonged to an earlier phase (late beyond its
    /// drain).
    pub stale: u64,
    /// The acks among them: changes the server did make, late.
    pub late_acks: u64,
    /// When the last answer of this phase came, in microseconds of the
    /// bench's monotonic clock.
    pub last_answer_us: u64,
}

impl Tally {
    /// Adds another agent's tally to this one.
    pub fn merge(&mut self, other: Tally) {
        self.scheduled += other.scheduled;
        self.acked += other.acked;
        self.ack.merge(other.ack);
        self.pings += other.pings;
        self.pong.merge(other.pong);
        self.fanout.merge(other.fanout);
        add_counts(&mut self.nacks, other.nacks);
        add_counts(&mut self.errors, other.errors);
        self.stale += other.stale;
        self.late_acks += other.late_acks;
        self.last_answer_us = self.last_answer_us.max(other.last_answer_us);
    }

    /// Commands refused, whatever the code.
    pub fn nacked(&self) -> u64 {
        self.nacks.values().sum()
    }

    /// Counts one more of `code` in `counts`.
    pub fn count(counts: &mut BTreeMap<String, u64>, code: &str) {
        *counts.entry(code.to_owned()).or_default() += 1;
    }

    /// Once the phase is over: the commands and pings that got no answer
    /// count as missing, and so do the events of the unanswered commands
    /// (each status change has one), so a server that applies only a few
    /// of the commands cannot show a fast fan-out for those few.
    pub fn close_phase(&mut self) {
        let unanswered = self.scheduled.saturating_sub(self.acked + self.nacked());
        self.ack.record_missing(unanswered);
        self.fanout.record_missing(unanswered);
        self.pong.record_missing(self.pings.saturating_sub(self.pong.measured()));
    }
}

fn add_counts(into: &mut BTreeMap<String, u64>, from: BTreeMap<String, u64>) {
    for (code, count) in from {
        *into.entry(code).or_default() += count;
    }
}

/// Counts as `code count, code count`, or "none".
pub fn show_counts(counts: &BTreeMap<String, u64>) -> String {
    if counts.is_empty() {
        return "none".to_owned();
    }
    counts.iter().map(|(code, count)| format!("{code} {count}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latencies(micros: &[u64], missing: u64) -> LatencySummary {
        let mut l = Latencies::default();
        for &m in micros {
            l.record(m);
        }
        l.record_missing(missing);
        l.summarize()
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let samples: Vec<u64> = (1..=100).collect();
        let s = latencies(&samples, 0);
        assert_eq!(s.p50(), Some(Latency::Micros(50)));
        assert_eq!(s.p99(), Some(Latency::Micros(99)));
        assert_eq!(s.max(), Some(Latency::Micros(100)));
        assert_eq!(latencies(&[7], 0).p99(), Some(Latency::Micros(7)));
    }

    #[test]
    fn missing_answers_rank_after_every_measured_one() {
        let samples: Vec<u64> = (1..=98).collect();
        let s = latencies(&samples, 2);
        assert_eq!(s.p50(), Some(Latency::Micros(50)));
        assert_eq!(s.p99(), Some(Latency::Missing));
        assert_eq!(latencies(&[], 0).p99(), None);
    }

    #[test]
    fn a_phase_closes_with_the_unanswered_commands_missing() {
        let mut tally = Tally { scheduled: 10, acked: 7, pings: 3, ..Tally::default() };
        Tally::count(&mut tally.nacks, "busy");
        tally.pong.record(100);
        tally.close_phase();
        assert_eq!(tally.ack.missing(), 2);
        assert_eq!(tally.fanout.missing(), 2);
        assert_eq!(tally.pong.missing(), 2);
    }
}
