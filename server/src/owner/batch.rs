//! One group of inputs between two commits: the records to append and, in
//! order, what to deliver once they are durable (or how to answer when they
//! could not be stored).

use super::{AdminFailure, AdminReply, DirectoryAnswer, DirectoryFailure, Outbox, RosterRequest, SimFailure, SimReply};
use crate::store::Record;
use ringside::center::{Input as CenterInput, ListWrite};
use ringside::model::state::Event;
use ringside::model::{Actor, CommandId, ServerTime, SessionId};
use ringside::protocol::ServerMessage;
use tokio::sync::oneshot;

/// Something to do after the commit, in input order.
// Mostly answers, each sent once: boxing them would cost an allocation per
// command to save room in a list that lives for one batch.
#[allow(clippy::large_enum_variant)]
pub(super) enum Delivery {
    /// The events of the batch's record at this index, for every session
    /// of their users (the record holds them: no copy).
    Events(usize),
    /// A message for one session (an answer, a resync welcome).
    Send(SessionId, ServerMessage),
    /// A new session: its welcome (and replay), then it joins the fan-out.
    Register {
        session: SessionId,
        actor: Actor,
        outbox: Outbox,
        messages: Vec<ServerMessage>,
        reply: oneshot::Sender<SessionId>,
    },
    /// A session that ended leaves the fan-out.
    Unregister(SessionId),
    /// The answer to a simulator request.
    Sim(oneshot::Sender<Result<SimReply, SimFailure>>, Result<SimReply, SimFailure>),
    /// The answer to an admin request.
    Admin(oneshot::Sender<Result<AdminReply, AdminFailure>>, Result<AdminReply, AdminFailure>),
    /// The answer to a directory request.
    Directory(oneshot::Sender<DirectoryAnswer>, DirectoryAnswer),
    /// A roster subscription change, served once the batch's changes went out.
    Roster(SessionId, RosterRequest),
}

/// The inputs taken since the last commit.
#[derive(Default)]
pub(super) struct Batch {
    /// How many owner inputs it holds.
    pub(super) inputs: usize,
    /// Records to append, in position order.
    pub(super) records: Vec<Record>,
    /// The calling-list changes of those records, written with them.
    pub(super) list_writes: Vec<ListWrite>,
    /// What to deliver after the commit.
    pub(super) deliveries: Vec<Delivery>,
    /// The center panicked on an input of this batch.
    pub(super) poisoned: bool,
    /// Sessions whose end must be applied again by the next batch.
    pub(super) retry_disconnects: Vec<SessionId>,
}

/// The answer to a command that could not be stored.
pub(super) fn unavailable_nack(id: CommandId) -> ServerMessage {
    ServerMessage::Nack { id: Some(id), code: "unavailable".into(), message: "the server could not store the change; try again".into() }
}

fn unavailable_error() -> ServerMessage {
    ServerMessage::Error { code: "unavailable".into(), message: "the server could not store the connection; reconnect".into() }
}

impl Batch {
    /// Appends a record, and its events to the deliveries.
    pub(super) fn log(&mut self, pos: u64, at: ServerTime, input: CenterInput, events: Vec<Event>) {
        if !events.is_empty() {
            self.deliveries.push(Delivery::Events(self.records.len()));
        }
        self.records.push(Record { pos, at, input, events });
    }

    /// A message to one session after the commit.
    pub(super) fn send(&mut self, session: SessionId, message: ServerMessage) {
        self.deliveries.push(Delivery::Send(session, message));
    }

    /// A session to register after the commit.
    pub(super) fn register(&mut self, session: SessionId, actor: Actor, outbox: Outbox, messages: Vec<ServerMessage>, reply: oneshot::Sender<SessionId>) {
        self.deliveries.push(Delivery::Register { session, actor, outbox, messages, reply });
    }

    /// A session to unregister after the commit.
    pub(super) fn unregister(&mut self, session: SessionId) {
        self.deliveries.push(Delivery::Unregister(session));
    }

    /// A roster subscription change after the commit.
    pub(super) fn roster(&mut self, session: SessionId, request: RosterRequest) {
        self.deliveries.push(Delivery::Roster(session, request));
    }

    /// A simulator answer after the commit.
    pub(super) fn answer_sim(&mut self, reply: oneshot::Sender<Result<SimReply, SimFailure>>, answer: Result<SimReply, SimFailure>) {
        self.deliveries.push(Delivery::Sim(reply, answer));
    }

    /// Answers an input that will not be applied: nothing of it was stored.
    pub(super) fn refuse(&mut self, input: super::Input) {
        use super::Input;
        match input {
            Input::Hello { outbox, .. } => {
                let _ = outbox.try_send(unavailable_error());
            }
            Input::Command { session, id, .. } => self.send(session, unavailable_nack(id)),
            Input::Disconnect { session } => self.retry_disconnects.push(session),
            Input::Sim { reply, .. } => {
                let _ = reply.send(Err(SimFailure::Unavailable));
            }
            Input::Admin { reply, .. } => {
                let _ = reply.send(Err(AdminFailure::Unavailable));
            }
            Input::Directory { reply, .. } => {
                let _ = reply.send(Err(DirectoryFailure::Unavailable));
            }
            Input::Report(read) => read.refuse(),
            Input::Resync { .. } | Input::Roster { .. } => {}
            Input::Shutdown { done } => {
                let _ = done.send(());
            }
        }
    }

    /// Turns every delivery into the answer for "not stored": commands get
    /// `unavailable`, new sessions are told and not registered, ended
    /// sessions are ended again by the next batch, events are dropped.
    pub(super) fn fail(&mut self) {
        let deliveries = std::mem::take(&mut self.deliveries);
        for delivery in deliveries {
            match delivery {
                Delivery::Events(_) => {}
                Delivery::Send(session, ServerMessage::Ack { id, .. } | ServerMessage::Nack { id: Some(id), .. }) => {
                    self.send(session, unavailable_nack(id));
                }
                Delivery::Send(..) => {}
                Delivery::Register { outbox, .. } => {
                    let _ = outbox.try_send(unavailable_error());
                }
                Delivery::Unregister(session) => {
                    self.deliveries.push(Delivery::Unregister(session));
                    self.retry_disconnects.push(session);
                }
                Delivery::Sim(reply, _) => {
                    let _ = reply.send(Err(SimFailure::Unavailable));
                }
                Delivery::Admin(reply, _) => {
                    let _ = reply.send(Err(AdminFailure::Unavailable));
                }
                Delivery::Directory(reply, _) => {
                    let _ = reply.send(Err(DirectoryFailure::Unavailable));
                }
                // The center was reloaded: a subscription is served from it.
                Delivery::Roster(session, request) => self.roster(session, request),
            }
        }
    }
}
