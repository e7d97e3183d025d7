//! The presence fan-out benchmark (`ringside-bench --presence`): agents
//! change status at a steady total rate while supervisors, all in the
//! agents' team, follow the whole roster. It measures, per change, the time
//! from sending the status command to the moment the last supervisor's
//! socket has the new presence ("in every watching supervisor's view"),
//! each delivery's time, the presence frames per change, and as a floor in
//! the same run the ping round trip on the supervisors' sockets.

use crate::agents::{join_and_log_in, user_of, Sink, Stream, TOKEN_TTL_SECS};
use crate::frames::{instant_at, now_us};
use crate::server::ServerProcess;
use crate::stats::{show, Latencies};
use futures_util::{SinkExt, StreamExt};
use ringside::model::state::CommandKind;
use ringside::model::{CommandId, Role, StatusId};
use ringside::protocol::{ClientMessage, ServerMessage};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// What one presence run is asked to do.
#[derive(Debug, Clone)]
pub struct PresencePlan {
    /// Agents changing status.
    pub agents: usize,
    /// Supervisors following the whole roster.
    pub supervisors: usize,
    /// Status changes per second, in total.
    pub rate: f64,
    /// How long changes are sent.
    pub duration: Duration,
    /// How long to wait for the last deliveries.
    pub drain: Duration,
    /// Seconds allowed to connect everyone.
    pub setup_limit: Duration,
}

/// What a supervisor's socket saw.
enum Seen {
    /// A presence frame: whose, which status, when it arrived (µs).
    Presence(String, StatusId, u64),
    /// A pong: the round trip (µs).
    Pong(u64),
    /// A frame that is no presence, pong or queue figures.
    Unexpected(String),
}

/// One change on its way to the supervisors.
struct Pending {
    status: StatusId,
    sent_us: u64,
    seen_by: usize,
}

fn supervisor_of(index: usize) -> String {
    format!("s{index:02}")
}

/// The team `floor` with every agent and supervisor in it, as config text.
fn directory_text(plan: &PresencePlan) -> String {
    let users = (0..plan.agents).map(user_of).chain((0..plan.supervisors).map(supervisor_of));
    let mut text = String::from("\n[directory.teams.floor]\nlabel = \"Floor\"\n");
    for user in users {
        text.push_str(&format!("\n[directory.members.{user}]\nteams = [\"floor\"]\n"));
    }
    text
}

/// Runs the benchmark against `binary` and prints its figures; an error for
/// a functional failure (a refused command, a change that never arrived).
pub async fn run(binary: &Path, secret: &str, plan: &PresencePlan) -> Result<(), String> {
    let keys = ringside_server::auth::Keys::new(secret.as_bytes());
    let (server, _) = ServerProcess::start_with(binary, plan.agents + plan.supervisors, secret, &directory_text(plan)).await?;
    let url = format!("ws://{}/ws", server.addr());
    let limit_us = now_us() + plan.setup_limit.as_micros() as u64;
    let mut agents = Vec::with_capacity(plan.agents);
    let (refusals, mut refused) = mpsc::unbounded_channel::<String>();
    for index in 0..plan.agents {
        let token = keys.issue(&user_of(index), Role::Agent, TOKEN_TTL_SECS);
        let (sink, stream) = join_and_log_in(&url, token, limit_us).await.map_err(|e| format!("agent {index}: {e}"))?;
        tokio::spawn(drain_answers(stream, refusals.clone()));
        agents.push(sink);
    }
    let (seen_tx, mut seen) = mpsc::unbounded_channel::<Seen>();
    let mut supervisors = Vec::with_capacity(plan.supervisors);
    for index in 0..plan.supervisors {
        let token = keys.issue(&supervisor_of(index), Role::Supervisor, TOKEN_TTL_SECS);
        let (mut sink, mut stream) = join_and_log_in(&url, token, limit_us).await.map_err(|e| format!("supervisor {index}: {e}"))?;
        send(&mut sink, &ClientMessage::SubscribeRoster { resume: None }).await?;
        let entries = loop {
            match stream.next().await {
                Some(Ok(Message::Text(text))) => {
                    if let Ok(ServerMessage::Roster(roster)) = ServerMessage::decode(text.as_str()) {
                        break roster.entries.len();
                    }
                }
                Some(Ok(_)) => {}
                other => return Err(format!("supervisor {index}: no roster: {other:?}")),
            }
        };
        if entries < plan.agents {
            return Err(format!("supervisor {index} follows {entries} users, fewer than the {} agents", plan.agents));
        }
        tokio::spawn(watch(stream, seen_tx.clone()));
        supervisors.push(sink);
    }
    eprintln!("[presence] {} agents and {} supervisors connected; {} changes/s for {:.0} s", plan.agents, plan.supervisors, plan.rate, plan.duration.as_secs_f64());
    let messages_before = server.metric("ringside_presence_messages_total").await;

    let interval_us = (1e6 / plan.rate) as u64;
    let ping_every = 20;
    let start_us = now_us() + 100_000;
    let end_us = start_us + plan.duration.as_micros() as u64;
    let mut pending: HashMap<String, Pending> = HashMap::new();
    let (mut to_all, mut deliveries, mut pongs) = (Latencies::default(), Latencies::default(), Latencies::default());
    let (mut changes, mut frames, mut unexpected) = (0u64, 0u64, Vec::new());
    let mut toggled = vec![false; plan.agents];
    let mut next_us = start_us;
    let mut sent = 0u64;
    loop {
        let now = now_us();
        if now >= end_us + plan.drain.as_micros() as u64 || (now >= end_us && pending.is_empty()) {
            break;
        }
        if next_us < end_us && now >= next_us {
            let index = (sent as usize) % plan.agents;
            toggled[index] = !toggled[index];
            let status = StatusId::from(if toggled[index] { "available" } else { "idle" });
            let command = ClientMessage::Command { id: CommandId(format!("p{sent}")), kind: CommandKind::SetStatus { status: status.clone(), secondary: None } };
            pending.insert(user_of(index), Pending { status, sent_us: now_us(), seen_by: 0 });
            send(&mut agents[index], &command).await?;
            if sent % ping_every == 0 && !supervisors.is_empty() {
                let target = (sent / ping_every) as usize % supervisors.len();
                send(&mut supervisors[target], &ClientMessage::Ping { client_time: now_us() }).await?;
            }
            sent += 1;
            next_us += interval_us;
            continue;
        }
        let wake = if next_us < end_us { next_us } else { end_us + plan.drain.as_micros() as u64 };
        let message = tokio::select! {
            message = seen.recv() => message,
            _ = tokio::time::sleep_until(instant_at(wake)) => None,
        };
        match message {
            Some(Seen::Presence(user, status, at)) => {
                frames += 1;
                let Some(change) = pending.get_mut(&user).filter(|c| c.status == status) else { continue };
                let took = at.saturating_sub(change.sent_us);
                deliveries.record(took);
                change.seen_by += 1;
                if change.seen_by == plan.supervisors {
                    to_all.record(took);
                    changes += 1;
                    pending.remove(&user);
                }
            }
            Some(Seen::Pong(round_trip)) => pongs.record(round_trip),
            Some(Seen::Unexpected(what)) => unexpected.push(what),
            None => {}
        }
        if let Ok(code) = refused.try_recv() {
            return Err(format!("a status command was refused: {code}"));
        }
    }
    let messages = server.metric("ringside_presence_messages_total").await.zip(messages_before).map(|(after, before)| after - before);
    to_all.record_missing(pending.len() as u64);
    let (to_all, deliveries, pongs) = (to_all.summarize(), deliveries.summarize(), pongs.summarize());
    println!("presence fan-out: {} agents, {} supervisors following the whole roster, {} changes sent at {}/s", plan.agents, plan.supervisors, sent, plan.rate);
    println!("  change to every supervisor's view: p50 {}  p90 {}  p99 {}  max {}", show(to_all.p50()), show(to_all.percentile(0.9)), show(to_all.p99()), show(to_all.max()));
    println!("  each delivery:                     p50 {}  p90 {}  p99 {}  max {}", show(deliveries.p50()), show(deliveries.percentile(0.9)), show(deliveries.p99()), show(deliveries.max()));
    println!("  floor, ping round trip on the supervisors' sockets: p50 {}  p99 {}", show(pongs.p50()), show(pongs.p99()));
    println!("  changes in every view: {changes} of {sent}; presence frames received per change: {:.1}", frames as f64 / sent.max(1) as f64);
    if let Some(messages) = messages {
        println!("  presence messages the server sent per change (ringside_presence_messages_total): {:.1}", messages / sent.max(1) as f64);
    }
    server.stop().await?;
    if !unexpected.is_empty() {
        return Err(format!("{} unexpected frames, the first: {}", unexpected.len(), unexpected[0]));
    }
    if to_all.missing() > 0 {
        return Err(format!("{} changes did not reach every supervisor within the drain", to_all.missing()));
    }
    Ok(())
}

async fn send(sink: &mut Sink, message: &ClientMessage) -> Result<(), String> {
    sink.send(Message::Text(message.encode().into())).await.map_err(|e| format!("send: {e}"))
}

/// Reads an agent's answers; a refusal is reported.
async fn drain_answers(mut stream: Stream, refusals: mpsc::UnboundedSender<String>) {
    while let Some(Ok(frame)) = stream.next().await {
        if let Message::Text(text) = frame {
            if let Ok(ServerMessage::Nack { code, .. }) = ServerMessage::decode(text.as_str()) {
                let _ = refusals.send(code);
            }
        }
    }
}

/// Reads a supervisor's socket, stamping each presence frame on arrival.
async fn watch(mut stream: Stream, seen: mpsc::UnboundedSender<Seen>) {
    while let Some(Ok(frame)) = stream.next().await {
        let Message::Text(text) = frame else { continue };
        let at = now_us();
        let report = match ServerMessage::decode(text.as_str()) {
            Ok(ServerMessage::Presence { entry, .. }) => Seen::Presence(entry.user.0, entry.status, at),
            Ok(ServerMessage::Pong { client_time, .. }) => Seen::Pong(at.saturating_sub(client_time)),
            Ok(ServerMessage::QueueStats { .. } | ServerMessage::Event(_) | ServerMessage::Ack { .. }) => continue,
            Ok(other) => Seen::Unexpected(format!("{other:?}")),
            Err(e) => Seen::Unexpected(format!("undecodable: {e}")),
        };
        if seen.send(report).is_err() {
            return;
        }
    }
}
