//! `ringside-bench`: a load benchmark of the release `ringside-server` on
//! loopback, with real WebSocket agents speaking the wire protocol. See the
//! "Benchmarks" section of README.md for what it prints.

mod agents;
mod centers;
mod cluster;
mod frames;
mod memory;
mod presence;
mod report;
mod server;
mod stats;

use agents::{Fleet, PhaseOutcome, Setup};
use clap::Parser;
use memory::CenterThroughput;
use server::{Counters, ServerProcess};
use stats::Latency;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// A step of the saturation search passes when its p99 ack stays at or
/// under this, and every command was answered and none refused.
pub const P99_ACK_LIMIT: Duration = Duration::from_millis(50);

/// The offered rates of the saturation search, in commands per second.
pub const SATURATION_LADDER: [f64; 12] =
    [1_000.0, 2_000.0, 5_000.0, 10_000.0, 15_000.0, 20_000.0, 30_000.0, 40_000.0, 50_000.0, 75_000.0, 100_000.0, 150_000.0];

/// How long the bench waits for a server to work off the backlog of a phase
/// it could not keep up with, before the next phase starts regardless.
const SETTLE_LIMIT: Duration = Duration::from_secs(300);

/// The saturation search is on by default for this many agents.
const SATURATION_AGENTS: usize = 1_000;

/// Drives the release ringside-server on loopback with N real WebSocket
/// agents and prints latency, throughput, storage and restart figures.
#[derive(Parser, Debug)]
#[command(name = "ringside-bench", version, about)]
struct Options {
    /// Agent counts, one run each [default: 100,1000,10000; with --quick: 100].
    #[arg(long, value_delimiter = ',')]
    agents: Vec<usize>,
    /// Steady-phase commands per second, in total [default: one per agent
    /// per second, at most 1,000].
    #[arg(long)]
    rate: Option<f64>,
    /// Protocol pings per second in total, sent beside the commands.
    #[arg(long, default_value_t = 100.0)]
    ping_rate: f64,
    /// Seconds of steady load [default: 10; with --quick: 3].
    #[arg(long)]
    duration: Option<f64>,
    /// Seconds to wait for answers after the last send of a phase [default:
    /// 10; with --quick: 5].
    #[arg(long)]
    drain: Option<f64>,
    /// Run the saturation search in every run [default: only with 1,000
    /// agents, and with --quick].
    #[arg(long, conflicts_with = "no_saturation")]
    saturation: bool,
    /// Run no saturation search.
    #[arg(long)]
    no_saturation: bool,
    /// Seconds per saturation step [default: 5; with --quick: 1].
    #[arg(long)]
    step_seconds: Option<f64>,
    /// The highest rate the saturation search offers [default: 150,000;
    /// with --quick: 20,000].
    #[arg(long)]
    max_rate: Option<f64>,
    /// Before the restart, drive this many commands as fast as the server
    /// answers them (each agent sends its next command on the last one's
    /// answer), so the restart loads the database they left.
    #[arg(long, value_name = "COMMANDS")]
    restart_after: Option<u64>,
    /// Seconds --restart-after may take at most; it stops short after that.
    #[arg(long, default_value_t = 1800.0)]
    restart_after_limit: f64,
    /// Seconds allowed to connect and log in every agent.
    #[arg(long, default_value_t = 900.0)]
    setup_limit: f64,
    /// Seconds the in-memory center is measured [default: 2; with --quick: 0.5].
    #[arg(long)]
    memory_seconds: Option<f64>,
    /// The server binary [default: ringside-server next to this binary, i.e.
    /// target/release/ringside-server].
    #[arg(long)]
    server: Option<PathBuf>,
    /// Worker threads of the bench's client; one leaves the other core of a
    /// two-core machine to the server.
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// The short form for CI: 100 agents, 3 s of load, a 1 s-step search
    /// (with --presence: 100 agents, 5 supervisors, 100 changes/s for 2 s).
    #[arg(long)]
    quick: bool,
    /// Run the presence fan-out benchmark instead: agents change status
    /// while supervisors follow the whole roster [default: 1,000 agents].
    #[arg(long)]
    presence: bool,
    /// With --presence: supervisors following the roster [default: 50].
    #[arg(long)]
    supervisors: Option<usize>,
    /// With --presence: status changes per second, in total [default: 500].
    #[arg(long)]
    change_rate: Option<f64>,
    /// Run the cluster benchmark instead: one node with SQLite, one node
    /// and three nodes on a PostgreSQL engine started on loopback
    /// (scripts/postgres; run from the repository root), then kill -9
    /// tries of the owner [default: 300 agents].
    #[arg(long, conflicts_with = "presence")]
    cluster: bool,
    /// With --cluster: kill -9 tries of the owner [default: 20; with --quick: 2].
    #[arg(long)]
    tries: Option<usize>,
    /// With --cluster: every node's lease, in milliseconds.
    #[arg(long, default_value_t = 2_000)]
    lease_ms: u64,
}

/// The options with every default settled.
#[derive(Debug, Clone)]
pub struct Settings {
    agents: Vec<usize>,
    rate: Option<f64>,
    ping_rate: f64,
    duration: Duration,
    drain: Duration,
    saturation: Option<bool>,
    step: Duration,
    max_rate: f64,
    restart_after: Option<u64>,
    restart_after_limit: Duration,
    setup_limit: Duration,
    memory: Duration,
    server: PathBuf,
    client_threads: usize,
}

impl Settings {
    fn from(options: Options) -> Result<Settings, String> {
        let quick = options.quick;
        let pick = |given: Option<f64>, normal: f64, short: f64| given.unwrap_or(if quick { short } else { normal });
        let seconds = |name: &str, value: f64| {
            Duration::try_from_secs_f64(value).ok().filter(|d| !d.is_zero()).ok_or_else(|| format!("--{name} must be a positive number of seconds"))
        };
        let agents = match (options.agents.is_empty(), quick) {
            (false, _) => options.agents,
            (true, true) => vec![100],
            (true, false) => vec![100, 1_000, 10_000],
        };
        if agents.contains(&0) {
            return Err("--agents must be at least 1".into());
        }
        if options.rate.is_some_and(|r| !(r > 0.0 && r.is_finite())) || !(options.ping_rate >= 0.0 && options.ping_rate.is_finite()) {
            return Err("--rate must be positive and --ping-rate not negative".into());
        }
        let server = match options.server {
            Some(path) => path,
            None => std::env::current_exe().map_err(|e| format!("finding the server binary: {e}"))?.with_file_name("ringside-server"),
        };
        Ok(Settings {
            agents,
            rate: options.rate,
            ping_rate: options.ping_rate,
            duration: seconds("duration", pick(options.duration, 10.0, 3.0))?,
            drain: seconds("drain", pick(options.drain, 10.0, 5.0))?,
            saturation: match (options.saturation, options.no_saturation, quick) {
                (true, _, _) | (_, false, true) => Some(true),
                (_, true, _) => Some(false),
                _ => None,
            },
            step: seconds("step-seconds", pick(options.step_seconds, 5.0, 1.0))?,
            max_rate: pick(options.max_rate, 150_000.0, 20_000.0),
            restart_after: options.restart_after,
            restart_after_limit: seconds("restart-after-limit", options.restart_after_limit)?,
            setup_limit: seconds("setup-limit", options.setup_limit)?,
            memory: seconds("memory-seconds", pick(options.memory_seconds, 2.0, 0.5))?,
            server,
            client_threads: options.client_threads.max(1),
        })
    }

    /// The steady rate of a run: as given, else one command per agent per
    /// second up to 1,000 (the targets' "1 command/s each" and "10,000
    /// agents at 1,000 commands/s").
    fn steady_rate(&self, agents: usize) -> f64 {
        self.rate.unwrap_or(agents.min(1_000) as f64)
    }

    fn saturation_for(&self, agents: usize) -> bool {
        self.saturation.unwrap_or(agents == SATURATION_AGENTS)
    }
}

/// What one run measured.
#[derive(Debug)]
pub struct Run {
    /// Agents asked for.
    pub agents: usize,
    /// How connecting and logging in went.
    pub setup: Setup,
    /// Time from spawning the fresh server to `/healthz` 200.
    pub startup: Duration,
    /// The steady phase.
    pub steady: PhaseOutcome,
    /// The server's counters over the steady phase.
    pub steady_counters: Counters,
    /// Resident memory after the steady phase.
    pub rss_bytes: Option<u64>,
    /// The saturation steps, in the order offered; empty when not run.
    pub saturation: Vec<PhaseOutcome>,
    /// The closed-loop phase of --restart-after.
    pub flat_out: Option<PhaseOutcome>,
    /// Commands acked by the database before the crash, logins included.
    pub commands_served: u64,
    /// Database size at the crash.
    pub database_bytes: u64,
    /// From SIGKILL's successor process start to `/healthz` 200.
    pub restart: Result<Duration, String>,
    /// The same commands on the in-memory center.
    pub memory: CenterThroughput,
}

impl Run {
    /// The highest passing saturation step: the rate the server sustains.
    pub fn sustained(&self) -> Option<&PhaseOutcome> {
        self.saturation.iter().take_while(|step| step_passes(step)).last()
    }
}

/// Whether a saturation step kept its p99 ack within [`P99_ACK_LIMIT`] with
/// every command answered and none refused.
pub fn step_passes(step: &PhaseOutcome) -> bool {
    let tally = &step.tally;
    let p99 = tally.ack.clone().summarize().p99();
    let limit = P99_ACK_LIMIT.as_micros() as u32;
    matches!(p99, Some(Latency::Micros(micros)) if micros <= limit) && tally.nacked() == 0 && tally.ack.missing() == 0
}

async fn run(agents: usize, settings: &Settings) -> Result<Run, String> {
    let secret = random_secret()?;
    let keys = ringside_server::auth::Keys::new(secret.as_bytes());
    let (mut server, startup) = ServerProcess::start(&settings.server, agents, &secret).await?;
    eprintln!("[{agents} agents] server up in {:.2} s on {}; connecting", startup.as_secs_f64(), server.addr());
    let (mut fleet, setup) = Fleet::connect(&[server.addr()], &keys, agents, settings.setup_limit).await;
    eprintln!("[{agents} agents] {} logged in after {:.1} s", setup.logged_in, setup.seconds);
    if fleet.size() == 0 {
        let _ = server.stop().await;
        return Err(format!("no agent could log in: {}", stats::show_counts(&setup.failures)));
    }
    let rate = settings.steady_rate(agents);
    let before = server.counters().await;
    let steady = fleet.paced(rate, settings.ping_rate, settings.duration, settings.drain).await;
    let steady_counters = server.counters().await.since(&before);
    let rss_bytes = server.rss_bytes();
    eprintln!("[{agents} agents] steady phase: {:.0} commands/s achieved", steady.achieved());
    let mut late_acks = settle(&mut fleet, agents).await;
    let mut saturation = Vec::new();
    if settings.saturation_for(agents) {
        for rate in SATURATION_LADDER.into_iter().filter(|&r| r <= settings.max_rate) {
            let step = fleet.paced(rate, settings.ping_rate, settings.step, settings.drain).await;
            let passed = step_passes(&step);
            eprintln!("[{agents} agents] saturation step {rate:.0}/s: {}", if passed { "passed" } else { "failed" });
            saturation.push(step);
            late_acks += settle(&mut fleet, agents).await;
            if !passed {
                break;
            }
        }
    }
    let flat_out = match settings.restart_after {
        Some(commands) => {
            eprintln!("[{agents} agents] driving {commands} commands before the restart");
            let flat_out = fleet.flat_out(commands, settings.restart_after_limit).await;
            late_acks += settle(&mut fleet, agents).await;
            Some(flat_out)
        }
        None => None,
    };
    let phases = std::iter::once(&steady).chain(&saturation).chain(&flat_out);
    let commands_served = setup.logged_in as u64 + late_acks + phases.map(|p| p.tally.acked).sum::<u64>();
    let database_bytes = server.database_bytes();
    let restart = server.crash_and_restart().await;
    fleet.abort();
    if let Err(e) = server.stop().await {
        eprintln!("[{agents} agents] stopping the server: {e}");
    }
    let memory = memory::center_throughput(agents, settings.memory);
    Ok(Run { agents, setup, startup, steady, steady_counters, rss_bytes, saturation, flat_out, commands_served, database_bytes, restart, memory })
}

/// Waits for the server to answer every command sent so far (see
/// [`SETTLE_LIMIT`]); the acks that came late.
async fn settle(fleet: &mut Fleet, agents: usize) -> u64 {
    let settled = fleet.settle(SETTLE_LIMIT).await;
    let tally = &settled.tally;
    if tally.stale > 0 || tally.ack.missing() > 0 {
        eprintln!(
            "[{agents} agents] backlog: {} late answers came in {:.1} s; {} still unanswered",
            tally.stale,
            settled.window_seconds(),
            tally.ack.missing()
        );
    }
    tally.late_acks
}

/// A fresh token secret per run, 64 hex digits (the server wants at least 32 bytes).
fn random_secret() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("random secret: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Raises this process's open-files limit: 10,000 agents are 10,000 sockets.
fn raise_open_files_limit() {
    match ringside_server::fd_limit::raise_open_files_limit() {
        Ok(limit) => eprintln!("open files limit: {limit}"),
        Err(e) => eprintln!("cannot raise the open files limit: {e}"),
    }
}

/// The presence run's plan from the options (see [`presence`]).
fn presence_plan(options: &Options) -> presence::PresencePlan {
    let quick = options.quick;
    presence::PresencePlan {
        agents: options.agents.first().copied().unwrap_or(if quick { 100 } else { 1_000 }),
        supervisors: options.supervisors.unwrap_or(if quick { 5 } else { 50 }),
        rate: options.change_rate.unwrap_or(if quick { 100.0 } else { 500.0 }),
        duration: Duration::from_secs_f64(options.duration.unwrap_or(if quick { 2.0 } else { 10.0 }).max(0.1)),
        drain: Duration::from_secs_f64(options.drain.unwrap_or(5.0).max(0.1)),
        setup_limit: Duration::from_secs_f64(options.setup_limit.max(1.0)),
    }
}

fn main() -> ExitCode {
    let options = Options::parse();
    let plan = options.presence.then(|| presence_plan(&options));
    let cluster_plan = options.cluster.then(|| cluster::ClusterPlan {
        agents: options.agents.first().copied().unwrap_or(if options.quick { 30 } else { 300 }),
        tries: options.tries.unwrap_or(if options.quick { 2 } else { 20 }),
        lease_ms: options.lease_ms,
    });
    let settings = match Settings::from(options) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("ringside-bench: {e}");
            return ExitCode::from(2);
        }
    };
    raise_open_files_limit();
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(settings.client_threads).enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("ringside-bench: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(plan) = cluster_plan {
        let outcome = random_secret().and_then(|secret| runtime.block_on(cluster::run(&settings, &plan, &secret)));
        return match outcome {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ringside-bench: the cluster run failed: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if let Some(plan) = plan {
        let outcome = random_secret().and_then(|secret| runtime.block_on(presence::run(&settings.server, &secret, &plan)));
        return match outcome {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ringside-bench: the presence run failed: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let mut runs = Vec::new();
    let mut failed = false;
    for &agents in &settings.agents {
        match runtime.block_on(run(agents, &settings)) {
            Ok(run) => {
                report::print_run(&run, &settings);
                runs.push(run);
            }
            Err(e) => {
                eprintln!("ringside-bench: the run with {agents} agents failed: {e}");
                failed = true;
            }
        }
    }
    report::print_summary(&runs);
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
