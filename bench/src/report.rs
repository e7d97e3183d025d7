//! What the bench prints: a table per run and the summary against the
//! targets. Targets are reported as met or not, never asserted: the bench
//! measures, it does not gate.

use crate::agents::PhaseOutcome;
use crate::server::Counters;
use crate::stats::{show, show_counts, Latency, LatencySummary};
use crate::{Run, Settings, P99_ACK_LIMIT};

/// `1234567.8` as `1,234,568`.
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// Bytes in B, KiB, MiB or GiB.
fn bytes(value: f64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = value;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Latency percentiles of one phase, sorted once.
struct Percentiles {
    ack: LatencySummary,
    pong: LatencySummary,
    fanout: LatencySummary,
}

impl Percentiles {
    fn of(phase: &PhaseOutcome) -> Percentiles {
        let tally = &phase.tally;
        Percentiles { ack: tally.ack.clone().summarize(), pong: tally.pong.clone().summarize(), fanout: tally.fanout.clone().summarize() }
    }
}

/// p50 / p99, and the max when `with_max`; when answers are missing, also
/// those of the answers that came, to show how late they were.
fn percentiles(latencies: &LatencySummary, with_max: bool) -> String {
    let figures = |l: &LatencySummary| {
        let max = if with_max { format!(" / {}", show(l.max())) } else { String::new() };
        format!("{} / {}{max}", show(l.p50()), show(l.p99()))
    };
    if latencies.missing() == 0 {
        return figures(latencies);
    }
    format!("{} (the answered: {})", figures(latencies), figures(&latencies.answered_only()))
}

/// Bytes per acked command of the steady phase, or why not known.
fn per_command(total: Option<f64>, steady: &PhaseOutcome, missing: &str) -> String {
    match total {
        Some(_) if steady.tally.acked == 0 => "n/a (no command acked)".to_owned(),
        Some(total) => thousands(total / steady.tally.acked as f64),
        None => format!("n/a ({missing})"),
    }
}

/// The store's bytes per command when the server counts them, else the
/// disk's; with which one it is.
fn bytes_per_command(counters: &Counters, steady: &PhaseOutcome) -> Option<(f64, &'static str)> {
    let acked = steady.tally.acked as f64;
    if acked == 0.0 {
        return None;
    }
    match (counters.store_bytes, counters.disk_bytes) {
        (Some(store), _) => Some((store / acked, "store")),
        (None, Some(disk)) => Some((disk / acked, "disk")),
        (None, None) => None,
    }
}

/// Prints one run: the steady phase's figures, then the saturation steps
/// and the --restart-after phase when they ran.
pub fn print_run(run: &Run, settings: &Settings) {
    let steady = &run.steady;
    let p = Percentiles::of(steady);
    let tally = &steady.tally;
    let counters = &run.steady_counters;
    println!();
    println!(
        "== {} agents: {:.0} s at {} commands/s and {} pings/s",
        thousands(run.agents as f64),
        settings.duration.as_secs_f64(),
        thousands(steady.offered.unwrap_or(0.0)),
        thousands(settings.ping_rate)
    );
    let row = |figure: &str, value: String| println!("  {figure:<28} {value}");
    row(
        "agents logged in",
        format!(
            "{} of {} in {:.1} s (server up in {:.2} s){}",
            thousands(run.setup.logged_in as f64),
            thousands(run.agents as f64),
            run.setup.seconds,
            run.startup.as_secs_f64(),
            if run.setup.failures.is_empty() { String::new() } else { format!("; failed: {}", show_counts(&run.setup.failures)) }
        ),
    );
    row("commands offered / s", thousands(steady.offered.unwrap_or(0.0)));
    row("commands achieved / s", thousands(steady.achieved()));
    row("ack p50 / p99 / max", percentiles(&p.ack, true));
    row("ping-to-pong p50 / p99", percentiles(&p.pong, false));
    row("fan-out p50 / p99", percentiles(&p.fanout, false));
    row("refused (nack) / unanswered", format!("{} / {}", show_counts(&tally.nacks), thousands(tally.ack.missing() as f64)));
    row("errors / stale answers", format!("{} / {}", show_counts(&tally.errors), tally.stale));
    row("store bytes / command", per_command(counters.store_bytes, steady, "no ringside_store_bytes_total in /metrics"));
    row("disk bytes / command", per_command(counters.disk_bytes, steady, "no /proc/PID/io"));
    row(
        "fsyncs (commits) / s",
        counters.commits.map_or_else(|| "n/a (no ringside_store_commits_total in /metrics)".to_owned(), |c| thousands(steady.per_second(c))),
    );
    row("inputs / s", counters.inputs.map_or_else(|| "n/a (no ringside_inputs_total in /metrics)".to_owned(), |i| thousands(steady.per_second(i))));
    row("server RSS", run.rss_bytes.map_or_else(|| "n/a".to_owned(), |b| bytes(b as f64)));
    row(
        "restart after SIGKILL",
        match &run.restart {
            Ok(took) => format!(
                "{:.2} s (database {}, {} commands acked before the kill)",
                took.as_secs_f64(),
                bytes(run.database_bytes as f64),
                thousands(run.commands_served as f64)
            ),
            Err(e) => format!("failed: {e}"),
        },
    );
    row("in-memory center", format!("{} commands/s; {}", thousands(run.memory.per_second), memory_ratio(run)));
    if !run.saturation.is_empty() {
        print_saturation(run, settings);
    }
    if let Some(flat_out) = &run.flat_out {
        let p = Percentiles::of(flat_out);
        println!(
            "  --restart-after: {} commands acked in {:.1} s = {} commands/s (closed loop), ack p50 / p99 / max {}, refused {}, errors {}",
            thousands(flat_out.tally.acked as f64),
            flat_out.window_seconds(),
            thousands(flat_out.achieved()),
            percentiles(&p.ack, true),
            show_counts(&flat_out.tally.nacks),
            show_counts(&flat_out.tally.errors),
        );
    }
}

/// The in-memory rate against the server's: its sustained rate (the highest
/// passing saturation step) when there is one, else the most it achieved.
fn memory_ratio(run: &Run) -> String {
    let memory = run.memory.per_second;
    if let Some(step) = run.sustained() {
        return format!("{:.0}x the server's sustained {}/s", memory / step.achieved(), thousands(step.achieved()));
    }
    let failed_step = run.saturation.first().map(|step| (step.achieved(), "no saturation step passed"));
    let closed_loop = run.flat_out.as_ref().map(|phase| (phase.achieved(), "closed loop of --restart-after"));
    match failed_step.into_iter().chain(closed_loop).max_by(|a, b| a.0.total_cmp(&b.0)) {
        Some((rate, source)) if rate > 0.0 => format!("{:.0}x the server's {}/s ({source})", memory / rate, thousands(rate)),
        _ => "no server figure to compare (run the saturation search or --restart-after)".to_owned(),
    }
}

fn print_saturation(run: &Run, settings: &Settings) {
    println!(
        "  saturation search ({:.0} s steps; a step passes with p99 ack <= {} ms, nothing refused or unanswered):",
        settings.step.as_secs_f64(),
        P99_ACK_LIMIT.as_millis()
    );
    println!(
        "    {:>10} {:>10} {:>11} {:>11} {:>11} {:>11} {:>11} {:>10} {:>10}  result",
        "offered/s", "achieved/s", "ack p50", "ack p99", "ack max", "ping p99", "fan-out p99", "refused", "unanswered"
    );
    for step in &run.saturation {
        let p = Percentiles::of(step);
        println!(
            "    {:>10} {:>10} {:>11} {:>11} {:>11} {:>11} {:>11} {:>10} {:>10}  {}",
            thousands(step.offered.unwrap_or(0.0)),
            thousands(step.achieved()),
            show(p.ack.p50()),
            show(p.ack.p99()),
            show(p.ack.max()),
            show(p.pong.p99()),
            show(p.fanout.p99()),
            step.tally.nacked(),
            step.tally.ack.missing(),
            if crate::step_passes(step) { "pass" } else { "FAIL" }
        );
    }
    match run.sustained() {
        Some(step) => println!("  sustained: {} commands/s with p99 ack <= {} ms", thousands(step.achieved()), P99_ACK_LIMIT.as_millis()),
        None => println!("  sustained: no step passed"),
    }
}

/// A target's verdict line.
fn verdict(met: Option<bool>, target: &str, figures: String) {
    let mark = match met {
        Some(true) => "met",
        Some(false) => "not met",
        None => "not measured",
    };
    println!("  [{mark:^12}] {target}: {figures}");
}

/// The run with `agents` agents, if one was made.
fn run_with(runs: &[Run], agents: usize) -> Option<&Run> {
    runs.iter().find(|run| run.agents == agents)
}

fn millis(latency: Option<Latency>) -> Option<f64> {
    latency.and_then(Latency::millis)
}

/// Prints the targets with the measured figures.
pub fn print_summary(runs: &[Run]) {
    println!();
    println!("== targets");
    target_ack_versus_ping(runs);
    target_sustained(runs);
    target_fanout(runs);
    target_bytes(runs);
    target_restart(runs);
}

fn target_ack_versus_ping(runs: &[Run]) {
    let target = "1,000 agents at 1 command/s each: p99 ack <= 2 x p99 ping-to-pong";
    let Some(run) = run_with(runs, 1_000).filter(|run| run.steady.offered == Some(1_000.0)) else {
        return verdict(None, target, "needs a run with --agents 1000 at --rate 1000".into());
    };
    let p = Percentiles::of(&run.steady);
    let (ack, ping) = (p.ack.p99(), p.pong.p99());
    let met = match (millis(ack), millis(ping)) {
        (Some(ack), Some(ping)) => Some(ack <= 2.0 * ping),
        _ => ack.map(|_| false),
    };
    verdict(met, target, format!("p99 ack {}, p99 ping {}", show(ack), show(ping)));
}

fn target_sustained(runs: &[Run]) {
    let target = "sustained throughput before p99 ack passes 50 ms >= 20,000 commands/s";
    let searched: Vec<&Run> = runs.iter().filter(|run| !run.saturation.is_empty()).collect();
    if searched.is_empty() {
        return verdict(None, target, "no saturation search ran".into());
    }
    let best = searched.iter().filter_map(|run| run.sustained().map(|step| (run.agents, step.achieved()))).max_by(|a, b| a.1.total_cmp(&b.1));
    match best {
        Some((agents, rate)) => verdict(Some(rate >= 20_000.0), target, format!("{} commands/s ({} agents)", thousands(rate), thousands(agents as f64))),
        None => {
            let first = &searched[0].saturation[0];
            let p99 = show(first.tally.ack.clone().summarize().p99());
            verdict(Some(false), target, format!("no step passed; the first, {} commands/s, had p99 ack {p99}", thousands(first.offered.unwrap_or(0.0))))
        }
    }
}

fn target_fanout(runs: &[Run]) {
    let target = "10,000 logged-in agents, p99 fan-out < 50 ms at 1,000 commands/s";
    let Some(run) = run_with(runs, 10_000).filter(|run| run.steady.offered == Some(1_000.0)) else {
        return verdict(None, target, "needs a run with --agents 10000 at --rate 1000".into());
    };
    let p99 = Percentiles::of(&run.steady).fanout.p99();
    let logged_in = run.setup.logged_in;
    let met = millis(p99).map(|ms| ms < 50.0 && logged_in == 10_000).or(Some(false));
    let achieved = thousands(run.steady.achieved());
    verdict(met, target, format!("{} logged in, {achieved} commands/s achieved, p99 fan-out {}", thousands(logged_in as f64), show(p99)));
}

fn target_bytes(runs: &[Run]) {
    let target = "bytes/command at 10,000 agents within 1.5x of 100 agents";
    let per_command = |agents| run_with(runs, agents).and_then(|run| bytes_per_command(&run.steady_counters, &run.steady));
    match (per_command(100), per_command(10_000)) {
        (Some((small, kind)), Some((large, same))) if kind == same => verdict(
            Some(large <= 1.5 * small),
            target,
            format!("{} vs {} {kind} bytes/command ({:.2}x)", thousands(large), thousands(small), large / small.max(1.0)),
        ),
        _ => verdict(None, target, "needs runs with 100 and 10,000 agents measured the same way".into()),
    }
}

fn target_restart(runs: &[Run]) {
    let target = "restart under 2 s";
    if runs.is_empty() {
        return verdict(None, target, "no run".into());
    }
    let mut met = true;
    let mut figures = Vec::new();
    for run in runs {
        match &run.restart {
            Ok(took) => {
                met &= took.as_secs_f64() < 2.0;
                figures.push(format!(
                    "{} agents {:.2} s after {} commands",
                    thousands(run.agents as f64),
                    took.as_secs_f64(),
                    thousands(run.commands_served as f64)
                ));
            }
            Err(_) => {
                met = false;
                figures.push(format!("{} agents failed", thousands(run.agents as f64)));
            }
        }
    }
    verdict(Some(met), target, figures.join("; "));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1_000.0), "1,000");
        assert_eq!(thousands(1_234_567.8), "1,234,568");
    }

    #[test]
    fn sizes_pick_a_unit() {
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(bytes(3.0 * 1024.0 * 1024.0), "3.0 MiB");
    }
}
