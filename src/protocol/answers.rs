//! The messages a host of the center (the server, the in-page simulator)
//! builds from it the same way: a welcome, and a command's ack or nack.

use super::{ServerMessage, Snapshot, PROTOCOL_VERSION};
use crate::center::Center;
use crate::model::state::Reply;
use crate::model::{Actor, CommandId, ServerTime};

impl ServerMessage {
    /// The welcome for `actor` at `now` (SPEC N2): with the agent's state
    /// when `with_snapshot`, or bare when the missed events follow it.
    pub fn welcome(center: &Center, actor: &Actor, now: ServerTime, with_snapshot: bool) -> ServerMessage {
        let snapshot = with_snapshot.then(|| Snapshot { seq: center.last_seq(&actor.user), state: center.snapshot(&actor.user, now) });
        ServerMessage::Welcome {
            protocol: PROTOCOL_VERSION,
            user: actor.user.clone(),
            role: actor.role,
            server_time: now,
            profile: Box::new(center.profile().clone()),
            snapshot,
        }
    }

    /// The answer to command `id` (SPEC N1, N6): an ack with the number of
    /// its last event, or the refusal's code and sentence.
    pub fn answer(id: CommandId, reply: Reply) -> ServerMessage {
        match reply {
            Ok(seq) => ServerMessage::Ack { id, seq },
            Err(refusal) => ServerMessage::Nack { id: Some(id), code: refusal.code, message: refusal.message },
        }
    }
}
