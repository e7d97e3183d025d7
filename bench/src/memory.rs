//! The in-memory ceiling: the same status changes applied straight to the
//! core's [`Center`], with no sockets, no JSON and no database.

use crate::agents::user_of;
use crate::frames::{set_status, STATUSES};
use ringside::center::Center;
use ringside::model::profile::Preset;
use ringside::model::state::CommandKind;
use ringside::model::{Actor, CommandId, Profile, QueueId, Role, ServerTime, SessionId, UserId};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Commands between two looks at the clock.
const BATCH: u64 = 1_000;
/// Never more than this many commands, however fast the machine.
const MAX_COMMANDS: u64 = 50_000_000;

/// How fast the center alone applies status changes.
#[derive(Debug, Clone, Copy)]
pub struct CenterThroughput {
    /// Status changes applied.
    pub commands: u64,
    /// Events drained.
    pub events: u64,
    /// Commands per second.
    pub per_second: f64,
}

/// Connects and logs in `agents` agents on a contact_center center, then
/// applies status changes round-robin (each agent alternating like the
/// bench's agents) for at least `duration`, draining the events after each
/// command as the server's owner does.
pub fn center_throughput(agents: usize, duration: Duration) -> CenterThroughput {
    let mut center = Center::new(Profile::preset(Preset::ContactCenter), [QueueId::from("support")]);
    let actors: Vec<Actor> = (0..agents.max(1)).map(|i| Actor { user: UserId(user_of(i)), role: Role::Agent }).collect();
    for (session, actor) in actors.iter().enumerate() {
        center.connect(server_now(), SessionId(session as u64), &actor.user);
        let _ = center.command(server_now(), actor, CommandId::from("login"), CommandKind::Login);
    }
    while center.poll_event().is_some() {}
    let statuses = STATUSES.map(set_status);
    let (mut commands, mut events) = (0u64, 0u64);
    let started = Instant::now();
    while commands < MAX_COMMANDS && (commands == 0 || started.elapsed() < duration) {
        for _ in 0..BATCH {
            let actor = &actors[(commands % actors.len() as u64) as usize];
            // Every agent's commands alternate lunch, idle, lunch...
            let change = commands / actors.len() as u64;
            let id = CommandId(format!("m{commands}"));
            let _ = center.command(server_now(), actor, id, statuses[(change % 2) as usize].clone());
            while center.poll_event().is_some() {
                events += 1;
            }
            commands += 1;
        }
    }
    let per_second = commands as f64 / started.elapsed().as_secs_f64();
    CenterThroughput { commands, events, per_second }
}

/// The wall clock, read per input as the server's owner does.
fn server_now() -> ServerTime {
    ServerTime(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_a_status_change_with_one_event() {
        let measured = center_throughput(10, Duration::from_millis(1));
        assert!(measured.commands >= BATCH);
        assert_eq!(measured.events, measured.commands);
    }
}
