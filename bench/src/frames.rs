//! The bench's clocks, its pre-encoded client frames and the command ids that
//! carry their own scheduled send time.

use ringside::model::state::CommandKind;
use ringside::model::CommandId;
use ringside::protocol::ClientMessage;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The two statuses every agent alternates between. Both are idle reasons of
/// the contact_center preset, not routable, so nothing is ever offered and
/// every command is a plain status change. Login lands in `idle`, so the
/// first change goes to `lunch`.
pub const STATUSES: [&str; 2] = ["lunch", "idle"];

static EPOCH: OnceLock<Instant> = OnceLock::new();

/// Microseconds since the bench started, on the monotonic clock. Schedules,
/// acks and pongs are measured on it.
pub fn now_us() -> u64 {
    EPOCH.get_or_init(Instant::now).elapsed().as_micros() as u64
}

/// The tokio instant `us` microseconds after the bench started.
pub fn instant_at(us: u64) -> tokio::time::Instant {
    tokio::time::Instant::from_std(*EPOCH.get_or_init(Instant::now) + Duration::from_micros(us))
}

/// Microseconds since the Unix epoch on the wall clock: the clock the server
/// stamps events with (`at`, milliseconds). Server and bench share the machine.
pub fn wall_us() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}

/// An encoded message with one hole, filled per send: the JSON around the
/// hole is encoded once by the protocol's own encoder.
struct Template {
    before: String,
    after: String,
}

impl Template {
    fn new(encoded: &str, hole: &str) -> Template {
        let (before, after) = encoded.split_once(hole).expect("the marker appears in the encoded message");
        Template { before: before.to_owned(), after: after.to_owned() }
    }

    fn fill(&self, value: &str) -> String {
        let mut frame = String::with_capacity(self.before.len() + value.len() + self.after.len());
        frame.push_str(&self.before);
        frame.push_str(value);
        frame.push_str(&self.after);
        frame
    }
}

/// The frames the agents send in the timed phases, encoded once.
pub struct Frames {
    status_changes: [Template; 2],
    ping: Template,
}

/// Stands for the command id while encoding; needs no JSON escaping.
const ID_HOLE: &str = "ID-HOLE";
/// Stands for the ping's `client_time` while encoding.
const TIME_HOLE: u64 = 987_654_321_987_654;

impl Frames {
    /// Encodes the templates.
    pub fn new() -> Frames {
        let status_change = |status: &str| {
            let message = ClientMessage::Command { id: CommandId::from(ID_HOLE), kind: set_status(status) };
            Template::new(&message.encode(), ID_HOLE)
        };
        let ping = ClientMessage::Ping { client_time: TIME_HOLE };
        Frames {
            status_changes: STATUSES.map(status_change),
            ping: Template::new(&ping.encode(), &TIME_HOLE.to_string()),
        }
    }

    /// The agent's `change`th status change (counted from login), with `id`.
    pub fn status_change(&self, change: u64, id: &CommandTag) -> String {
        self.status_changes[(change % 2) as usize].fill(&id.to_string())
    }

    /// A ping whose `client_time` is its scheduled send time: the server
    /// echoes it untouched, so the pong says how late it is.
    pub fn ping(&self, scheduled_us: u64) -> String {
        self.ping.fill(&scheduled_us.to_string())
    }
}

/// A status change to `status` with no secondary.
pub fn set_status(status: &str) -> CommandKind {
    CommandKind::SetStatus { status: status.into(), secondary: None }
}

/// What a timed command's id says: its phase, its number within the agent's
/// phase (ids are unique per agent), and when it was scheduled to go out, so
/// an ack can be timed without any shared state between sender and reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandTag {
    /// The phase the command belongs to.
    pub phase: u32,
    /// Its number among the agent's commands of the phase.
    pub index: u64,
    /// Its scheduled send time, microseconds on [`now_us`]'s clock.
    pub scheduled_us: u64,
}

impl CommandTag {
    /// Reads a tag back from a command id; `None` for ids the bench did not
    /// make this way (the login).
    pub fn parse(id: &str) -> Option<CommandTag> {
        let mut parts = id.splitn(3, '.');
        let phase = parts.next()?.parse().ok()?;
        let index = parts.next()?.parse().ok()?;
        let scheduled_us = parts.next()?.parse().ok()?;
        Some(CommandTag { phase, index, scheduled_us })
    }
}

impl std::fmt::Display for CommandTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.phase, self.index, self.scheduled_us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filled_templates_decode_as_the_messages_they_stand_for() {
        let frames = Frames::new();
        let tag = CommandTag { phase: 3, index: 17, scheduled_us: 123_456 };
        let first = ClientMessage::decode(&frames.status_change(0, &tag)).expect("valid");
        assert_eq!(first, ClientMessage::Command { id: CommandId::from("3.17.123456"), kind: set_status("lunch") });
        let second = ClientMessage::decode(&frames.status_change(1, &tag)).expect("valid");
        assert!(matches!(second, ClientMessage::Command { kind, .. } if kind == set_status("idle")));
        assert_eq!(ClientMessage::decode(&frames.ping(42)).expect("valid"), ClientMessage::Ping { client_time: 42 });
    }

    #[test]
    fn a_tag_survives_the_trip_through_a_command_id() {
        let tag = CommandTag { phase: 1, index: 0, scheduled_us: 99 };
        assert_eq!(CommandTag::parse(&tag.to_string()), Some(tag));
        assert_eq!(CommandTag::parse("login"), None);
    }
}
