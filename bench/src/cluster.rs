//! The cluster benchmark (`--cluster`): the same load on one node with the
//! embedded store, on one node with the center in the engine (PostgreSQL),
//! and on three nodes with the agents spread over them; then the failover
//! time after kill -9 of the owner, over a number of tries.

use crate::agents::{join_and_log_in, Fleet, PhaseOutcome, Setup};
use crate::frames::now_us;
use crate::server::ServerProcess;
use crate::stats::{show, Latency};
use crate::{step_passes, Settings, SATURATION_LADDER};
use ringside::model::Role;
use ringside_server::auth::Keys;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How often the failover watch polls the surviving nodes.
const FAILOVER_POLL: Duration = Duration::from_millis(10);
/// A take-over that takes longer than this counts as failed.
const FAILOVER_LIMIT: Duration = Duration::from_secs(60);

/// What the cluster run does besides the load settings it shares with the
/// plain run.
#[derive(Debug, Clone)]
pub struct ClusterPlan {
    /// Agents in each configuration.
    pub agents: usize,
    /// Kill -9 tries of the owner.
    pub tries: usize,
    /// The lease of every node, in milliseconds.
    pub lease_ms: u64,
}

/// A throwaway PostgreSQL on loopback (`scripts/postgres`), stopped when
/// dropped.
pub(crate) struct Engine {
    dir: tempfile::TempDir,
    /// Where the nodes connect.
    pub(crate) url: String,
}

impl Engine {
    fn start() -> Result<Engine, String> {
        let dir = tempfile::Builder::new().prefix("ringside-bench-engine-").tempdir().map_err(|e| format!("temporary folder: {e}"))?;
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| format!("finding a free port: {e}"))?.port();
        let output = Command::new(script())
            .args(["start", &dir.path().display().to_string(), &port.to_string()])
            .output()
            .map_err(|e| format!("scripts/postgres: {e}"))?;
        if !output.status.success() {
            return Err(format!("scripts/postgres start failed: {}", String::from_utf8_lossy(&output.stderr)));
        }
        let url = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        Ok(Engine { dir, url })
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = Command::new(script()).args(["stop", &self.dir.path().display().to_string()]).status();
    }
}

/// `scripts/postgres`, found from the working directory (the repository
/// root, where `./scripts/bench-cluster` runs the bench).
fn script() -> PathBuf {
    Path::new("scripts").join("postgres")
}

/// The `[cluster]` table of one node.
fn cluster_toml(engine: &Engine, node: &str, center: &str, lease_ms: u64) -> String {
    format!("\n[cluster]\nurl = \"{}\"\nnode = \"{node}\"\ncenters = [\"{center}\"]\nlease_ms = {lease_ms}\n", engine.url)
}

/// One configuration's figures.
pub(crate) struct Measured {
    name: &'static str,
    setup: Setup,
    steady: PhaseOutcome,
    sustained: Option<f64>,
    rss_bytes: u64,
    /// Sockets each node held during the steady phase.
    sockets: Vec<Option<usize>>,
}

/// Runs the three configurations and the failover tries, then the centers
/// spread over nodes ([`crate::centers`]), printing figures.
pub async fn run(settings: &Settings, plan: &ClusterPlan, secret: &str) -> Result<(), String> {
    let keys = Keys::new(secret.as_bytes());
    let engine = Engine::start()?;
    eprintln!("engine: {}", engine.url);
    let mut measured = Vec::new();

    let (single, _) = ServerProcess::start(&settings.server, plan.agents, secret).await?;
    measured.push(load("1 node, embedded SQLite", single, &keys, settings, plan).await?);

    // Each configuration is a center of its own in the engine; tokens name it.
    let extra = cluster_toml(&engine, "solo", "bench_one", plan.lease_ms);
    let (solo, _) = ServerProcess::start_with(&settings.server, plan.agents, secret, &extra).await?;
    measured.push(load("1 node, PostgreSQL engine", solo, &keys.clone().for_center("bench_one"), settings, plan).await?);
    let keys = keys.for_center("bench_three");

    let mut nodes = Vec::new();
    for n in 1..=3 {
        // Node 1 answers /healthz once it owns the center; the others once
        // they know the owner, so they start as gateways.
        let extra = cluster_toml(&engine, &format!("n{n}"), "bench_three", plan.lease_ms);
        nodes.push(ServerProcess::start_with(&settings.server, plan.agents, secret, &extra).await?.0);
    }
    let addrs: Vec<_> = nodes.iter().map(ServerProcess::addr).collect();
    let (mut fleet, setup) = Fleet::connect(&addrs, &keys, plan.agents, settings.setup_limit).await;
    if fleet.size() == 0 {
        return Err("3 nodes: no agent could log in".into());
    }
    let three = drive("3 nodes, PostgreSQL engine", &mut fleet, setup, &nodes, settings, plan).await;
    fleet.abort();
    measured.push(three);
    let title = format!("one node against three ({} agents, spread over the nodes; lease {} ms)", plan.agents, plan.lease_ms);
    print_load(&title, &measured);

    let takeovers = failover(&mut nodes, &keys, plan).await;
    for node in nodes {
        let _ = node.stop().await;
    }
    print_failover(&takeovers, plan);
    let spread = crate::centers::run(settings, plan, secret, &engine).await;
    drop(engine);
    match takeovers.iter().filter(|t| t.is_err()).count() {
        0 => spread,
        failed => Err(format!("{failed} of {} take-overs failed", takeovers.len())),
    }
}

/// Connects the fleet to one node, drives it, stops the node.
async fn load(name: &'static str, node: ServerProcess, keys: &Keys, settings: &Settings, plan: &ClusterPlan) -> Result<Measured, String> {
    let (mut fleet, setup) = Fleet::connect(&[node.addr()], keys, plan.agents, settings.setup_limit).await;
    if fleet.size() == 0 {
        return Err(format!("{name}: no agent could log in"));
    }
    let measured = drive(name, &mut fleet, setup, std::slice::from_ref(&node), settings, plan).await;
    fleet.abort();
    node.stop().await?;
    Ok(measured)
}

/// The steady phase and the saturation search on a connected fleet.
pub(crate) async fn drive(name: &'static str, fleet: &mut Fleet, setup: Setup, nodes: &[ServerProcess], settings: &Settings, plan: &ClusterPlan) -> Measured {
    eprintln!("[{name}] {} agents logged in after {:.1} s", setup.logged_in, setup.seconds);
    for (reason, count) in &setup.failures {
        eprintln!("[{name}] {count} agents failed to log in: {reason}");
    }
    let steady = fleet.paced(settings.steady_rate(plan.agents), settings.ping_rate, settings.duration, settings.drain).await;
    // Every agent is connected now, before any step could shed some.
    let sockets = nodes.iter().map(ServerProcess::sockets).collect();
    let _ = fleet.settle(Duration::from_secs(60)).await;
    let mut sustained = None;
    for rate in SATURATION_LADDER.into_iter().filter(|&r| r <= settings.max_rate) {
        let step = fleet.paced(rate, settings.ping_rate, settings.step, settings.drain).await;
        let _ = fleet.settle(Duration::from_secs(60)).await;
        if !step_passes(&step) {
            break;
        }
        sustained = Some(step.achieved());
    }
    eprintln!("[{name}] done");
    let rss_bytes = nodes.iter().filter_map(ServerProcess::rss_bytes).sum();
    Measured { name, setup, steady, sustained, rss_bytes, sockets }
}

/// One kill -9 of the owner: when a standby held the lease, and when a new
/// agent could log in through a node that was neither.
struct Takeover {
    lease: Duration,
    serving: Duration,
}

/// Kills the owner `plan.tries` times, each time timing the take-over and
/// starting the killed node again as a standby.
async fn failover(nodes: &mut [ServerProcess], keys: &Keys, plan: &ClusterPlan) -> Vec<Result<Takeover, String>> {
    let mut takeovers = Vec::new();
    for attempt in 0..plan.tries {
        let outcome = take_over_once(nodes, keys, attempt).await;
        if let Err(e) = &outcome {
            eprintln!("[failover] try {}: {e}", attempt + 1);
        }
        takeovers.push(outcome);
    }
    takeovers
}

async fn take_over_once(nodes: &mut [ServerProcess], keys: &Keys, attempt: usize) -> Result<Takeover, String> {
    let owner = owner_of(nodes).await.ok_or("no node holds the lease")?;
    nodes[owner].kill().await?;
    let killed = Instant::now();
    let mut lease = None;
    let serving = loop {
        if killed.elapsed() > FAILOVER_LIMIT {
            return Err(format!("no take-over within {} s", FAILOVER_LIMIT.as_secs()));
        }
        if lease.is_none() {
            if let Some(new_owner) = owner_of_among(nodes, owner).await {
                lease = Some((killed.elapsed(), new_owner));
            }
        }
        if let Some((_, new_owner)) = lease {
            // Through the node that is neither the old owner nor the new.
            let gateway = (0..nodes.len()).find(|&n| n != owner && n != new_owner).unwrap_or(new_owner);
            let url = format!("ws://{}/ws", nodes[gateway].addr());
            let token = keys.issue(&format!("failover{attempt}"), Role::Agent, 600);
            if join_and_log_in(&url, token, now_us() + 2_000_000).await.is_ok() {
                break killed.elapsed();
            }
        }
        tokio::time::sleep(FAILOVER_POLL).await;
    };
    let lease = lease.map(|(took, _)| took).unwrap_or(serving);
    nodes[owner].start_again().await?;
    Ok(Takeover { lease, serving })
}

/// The node whose `/metrics` says it holds the lease.
async fn owner_of(nodes: &[ServerProcess]) -> Option<usize> {
    owner_of_among(nodes, usize::MAX).await
}

async fn owner_of_among(nodes: &[ServerProcess], skip: usize) -> Option<usize> {
    for (n, node) in nodes.iter().enumerate() {
        if n != skip && node.metric("ringside_lease_held").await == Some(1.0) {
            return Some(n);
        }
    }
    None
}

/// A table of configurations' load figures under `title`.
pub(crate) fn print_load(title: &str, measured: &[Measured]) {
    println!("\n== {title}");
    println!("| configuration | agents logged in | steady ack p50 / p99 | ping p50 / p99 | ack p50 - ping p50 | fan-out p99 | commands/s at p99 ack <= 50 ms | resident memory | sockets held per node |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for m in measured {
        let ack = m.steady.tally.ack.clone().summarize();
        let ping = m.steady.tally.pong.clone().summarize();
        let fanout = m.steady.tally.fanout.clone().summarize();
        let engine_cost = match (ack.p50().and_then(Latency::millis), ping.p50().and_then(Latency::millis)) {
            (Some(a), Some(p)) => format!("{:.2} ms", a - p),
            _ => "-".into(),
        };
        println!(
            "| {} | {} | {} / {} | {} / {} | {} | {} | {} | {:.0} MiB | {} |",
            m.name,
            m.setup.logged_in,
            show(ack.p50()),
            show(ack.p99()),
            show(ping.p50()),
            show(ping.p99()),
            engine_cost,
            show(fanout.p99()),
            m.sustained.map_or("below the first step".into(), |r| format!("{r:.0}")),
            m.rss_bytes as f64 / (1024.0 * 1024.0),
            m.sockets.iter().map(|n| n.map_or("-".into(), |n| n.to_string())).collect::<Vec<_>>().join(" / ")
        );
    }
}

fn print_failover(takeovers: &[Result<Takeover, String>], plan: &ClusterPlan) {
    let mut lease: Vec<Duration> = takeovers.iter().flatten().map(|t| t.lease).collect();
    let mut serving: Vec<Duration> = takeovers.iter().flatten().map(|t| t.serving).collect();
    lease.sort();
    serving.sort();
    let failed = takeovers.iter().filter(|t| t.is_err()).count();
    let ms = |d: Option<&Duration>| d.map_or("-".into(), |d| format!("{} ms", d.as_millis()));
    println!("\n== failover after kill -9 of the owner ({} tries, lease {} ms, 3 nodes)", plan.tries, plan.lease_ms);
    println!("| from the kill to | p50 | max |");
    println!("| --- | --- | --- |");
    println!("| a standby holding the lease | {} | {} |", ms(lease.get(lease.len() / 2)), ms(lease.last()));
    println!("| a new agent logged in through the third node | {} | {} |", ms(serving.get(serving.len() / 2)), ms(serving.last()));
    println!("tries that failed: {failed}");
}
