//! Centers spread over nodes, part of the cluster benchmark: three centers
//! on one node against the same three on three nodes (one each, after the
//! nodes that joined were handed their share), with the agents split evenly
//! over the centers and the nodes; then, over a number of tries, a node
//! killed with -9 (how long until another node owns its center) and started
//! again (how long until every node owns one center again).

use crate::agents::{Door, Fleet};
use crate::cluster::{drive, print_load, ClusterPlan, Engine, Measured};
use crate::server::ServerProcess;
use crate::Settings;
use ringside_server::auth::Keys;
use std::time::{Duration, Instant};

/// How many centers: as many as the nodes, so a fair share is one each.
const CENTERS: usize = 3;
/// How often the watch polls the nodes' metrics.
const POLL: Duration = Duration::from_millis(10);
/// Spreading or taking over that takes longer than this counts as failed.
const LIMIT: Duration = Duration::from_secs(60);

/// The centers of one configuration: names of their own, so no agent
/// finds itself logged in by an earlier configuration.
fn centers(configuration: &str) -> Vec<String> {
    (1..=CENTERS).map(|n| format!("bench_{configuration}{n}")).collect()
}

/// The `[cluster]` table of a node serving `centers`.
fn centers_toml(engine: &Engine, node: &str, centers: &[String], lease_ms: u64) -> String {
    let names: Vec<String> = centers.iter().map(|c| format!("\"{c}\"")).collect();
    format!("\n[cluster]\nurl = \"{}\"\nnode = \"{node}\"\ncenters = [{}]\nlease_ms = {lease_ms}\n", engine.url, names.join(", "))
}

/// One door per node and center: agents spread over both.
fn doors(nodes: &[ServerProcess], centers: &[String], keys: &Keys) -> Vec<Door> {
    let mut doors = Vec::new();
    for center in centers {
        for node in nodes {
            doors.push(Door { url: format!("ws://{}/ws?center={center}", node.addr()), keys: keys.clone().for_center(center) });
        }
    }
    doors
}

/// Centers each node owns, from `ringside_centers_owned`.
async fn owned(nodes: &[ServerProcess]) -> Vec<usize> {
    let mut counts = Vec::new();
    for node in nodes {
        counts.push(node.metric("ringside_centers_owned").await.map_or(0, |n| n as usize));
    }
    counts
}

/// Waits until `check` holds for the nodes' counts of owned centers; how
/// long that took.
async fn until_owned(nodes: &[ServerProcess], what: &str, check: impl Fn(&[usize]) -> bool) -> Result<Duration, String> {
    let started = Instant::now();
    loop {
        let counts = owned(nodes).await;
        if check(&counts) {
            return Ok(started.elapsed());
        }
        if started.elapsed() > LIMIT {
            return Err(format!("{what}: not within {} s (owned {counts:?})", LIMIT.as_secs()));
        }
        tokio::time::sleep(POLL).await;
    }
}

fn one_each(counts: &[usize]) -> bool {
    counts.iter().all(|&n| n == 1)
}

/// Waits until every node serves every center: owned, or its owner known.
async fn until_healthy(nodes: &[ServerProcess]) -> Result<(), String> {
    let started = Instant::now();
    for node in nodes {
        while !matches!(node.get("/healthz").await, Ok((200, _))) {
            if started.elapsed() > LIMIT {
                return Err(format!("{} does not serve every center", node.addr()));
            }
            tokio::time::sleep(POLL).await;
        }
    }
    Ok(())
}

/// Connects the fleet through the doors of `nodes`, drives it.
async fn load(name: &'static str, nodes: &[ServerProcess], centers: &[String], keys: &Keys, settings: &Settings, plan: &ClusterPlan) -> Result<Measured, String> {
    until_healthy(nodes).await?;
    let (mut fleet, setup) = Fleet::connect_doors(&doors(nodes, centers, keys), plan.agents, settings.setup_limit).await;
    if fleet.size() == 0 {
        return Err(format!("{name}: no agent could log in"));
    }
    let measured = drive(name, &mut fleet, setup, nodes, settings, plan).await;
    fleet.abort();
    Ok(measured)
}

/// One node killed and started again: until its center had another owner,
/// and until every node owned one again.
struct Round {
    taken: Duration,
    shared: Duration,
}

/// Runs the centers part of the cluster benchmark, printing its figures.
pub async fn run(settings: &Settings, plan: &ClusterPlan, secret: &str, engine: &Engine) -> Result<(), String> {
    let keys = Keys::new(secret.as_bytes());
    let mut measured = Vec::new();

    let alone = centers("alone");
    let solo = vec![ServerProcess::start_with(&settings.server, plan.agents, secret, &centers_toml(engine, "m0", &alone, plan.lease_ms)).await?.0];
    until_owned(&solo, "one node owning all three centers", |counts| counts == [CENTERS]).await?;
    measured.push(load("1 node, 3 centers", &solo, &alone, &keys, settings, plan).await?);
    for node in solo {
        node.stop().await?;
    }

    // The first node takes every center; each that joins is handed its share.
    let mut nodes = Vec::new();
    let mut joined = Instant::now();
    let spread_over = centers("spread");
    for n in 1..=CENTERS {
        joined = Instant::now();
        nodes.push(ServerProcess::start_with(&settings.server, plan.agents, secret, &centers_toml(engine, &format!("m{n}"), &spread_over, plan.lease_ms)).await?.0);
    }
    until_owned(&nodes, "one center per node", one_each).await?;
    let spread = joined.elapsed();
    measured.push(load("3 nodes, 1 center each", &nodes, &spread_over, &keys, settings, plan).await?);
    print_load(&format!("centers spread over nodes ({} agents over {CENTERS} centers; lease {} ms)", plan.agents, plan.lease_ms), &measured);
    println!("from the third node's start to one center per node: {} ms", spread.as_millis());

    let mut rounds = Vec::new();
    for attempt in 0..plan.tries {
        let round = kill_and_return(&mut nodes, attempt % CENTERS).await;
        if let Err(e) = &round {
            eprintln!("[centers] try {}: {e}", attempt + 1);
        }
        rounds.push(round);
    }
    for node in nodes {
        let _ = node.stop().await;
    }
    print_rounds(&rounds, plan);
    match rounds.iter().filter(|r| r.is_err()).count() {
        0 => Ok(()),
        failed => Err(format!("{failed} of {} center take-overs failed", rounds.len())),
    }
}

/// Kills node `victim` (owning one center), waits until the others own all
/// three, starts it again and waits until each owns one.
async fn kill_and_return(nodes: &mut [ServerProcess], victim: usize) -> Result<Round, String> {
    until_owned(nodes, "one center per node before the kill", one_each).await?;
    nodes[victim].kill().await?;
    let killed = Instant::now();
    let others: Vec<usize> = (0..nodes.len()).filter(|&n| n != victim).collect();
    loop {
        let mut total = 0;
        for &n in &others {
            total += nodes[n].metric("ringside_centers_owned").await.map_or(0, |c| c as usize);
        }
        if total == CENTERS {
            break;
        }
        if killed.elapsed() > LIMIT {
            return Err(format!("the killed node's center had no new owner within {} s", LIMIT.as_secs()));
        }
        tokio::time::sleep(POLL).await;
    }
    let taken = killed.elapsed();
    let restarted = Instant::now();
    nodes[victim].start_again().await?;
    until_owned(nodes, "one center per node after the restart", one_each).await?;
    Ok(Round { taken, shared: restarted.elapsed() })
}

fn print_rounds(rounds: &[Result<Round, String>], plan: &ClusterPlan) {
    let mut taken: Vec<Duration> = rounds.iter().flatten().map(|r| r.taken).collect();
    let mut shared: Vec<Duration> = rounds.iter().flatten().map(|r| r.shared).collect();
    taken.sort();
    shared.sort();
    let ms = |d: Option<&Duration>| d.map_or("-".into(), |d| format!("{} ms", d.as_millis()));
    println!("\n== a node owning one of three centers killed with -9, then started again ({} tries, lease {} ms, 3 nodes)", plan.tries, plan.lease_ms);
    println!("| from | p50 | max |");
    println!("| --- | --- | --- |");
    println!("| the kill to its center owned by another node | {} | {} |", ms(taken.get(taken.len() / 2)), ms(taken.last()));
    println!("| the restart to one center per node again | {} | {} |", ms(shared.get(shared.len() / 2)), ms(shared.last()));
    println!("tries that failed: {}", rounds.iter().filter(|r| r.is_err()).count());
}
