//! Every input of the center as data: what a host logs to rebuild the
//! center by replay, and the one entry point [`Center::apply`] that logging
//! and replay share.
//!
//! The center is deterministic: the same inputs with the same `now`, applied
//! in the same order to the same state, give the same state and the same
//! events. A host that logs each changing input before answering it can
//! therefore restart from a snapshot plus the inputs after it.

use super::Center;
use crate::model::campaign::{Campaign, CallingRecord, DialOutcome, PreviewOrigin};
use crate::model::directory::{Directory, DirectoryError, Member, Team};
use crate::model::state::{CommandKind, Reply};
use crate::model::{
    Actor, Channel, CommandError, CommandId, ContactId, InteractionId, OfferId, ParticipantId, QueueId, RecordId, RonaCause,
    SecondaryId, ServerTime, SessionId, StatusId, TeamId, UserId,
};
use serde::{Deserialize, Serialize};

/// One input to the center.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// A command from a user (N1); see [`Center::command`].
    Command {
        /// Who sends it.
        actor: Actor,
        /// The client's command id.
        id: CommandId,
        /// What to do.
        kind: CommandKind,
    },
    /// A session of a user connected; see [`Center::connect`].
    Connect {
        /// The session.
        session: SessionId,
        /// Its user.
        user: UserId,
    },
    /// A session ended; see [`Center::disconnect`].
    Disconnect {
        /// The session.
        session: SessionId,
    },
    /// A customer contact arrives; see [`Center::enqueue_contact`].
    EnqueueContact {
        /// The queue.
        queue: QueueId,
        /// Its channel.
        channel: Channel,
        /// Who the customer is.
        from: String,
    },
    /// The customer hangs up; see [`Center::customer_hang_up`].
    CustomerHangUp {
        /// The contact.
        contact: ContactId,
    },
    /// An offer could not be delivered; see [`Center::offer_undeliverable`].
    OfferUndeliverable {
        /// The offer.
        offer: OfferId,
        /// Why.
        cause: RonaCause,
    },
    /// A dialled number answers or declines; see [`Center::number_answers`].
    NumberAnswers {
        /// The interaction with the pending request.
        interaction: InteractionId,
        /// Whether it answered.
        answered: bool,
    },
    /// A party outside the center hangs up; see [`Center::party_hangs_up`].
    PartyHangsUp {
        /// The interaction.
        interaction: InteractionId,
        /// The participant.
        participant: ParticipantId,
    },
    /// An administrator creates, changes, starts or stops a campaign; see
    /// [`Center::save_campaign`].
    SaveCampaign {
        /// The campaign as it is to be (boxed: inputs stay small).
        campaign: Box<Campaign>,
    },
    /// A record of a calling list goes to an agent as a preview; see
    /// [`Center::push_preview`].
    PushPreview {
        /// The agent.
        agent: UserId,
        /// The record, as the list holds it (boxed: inputs stay small).
        record: Box<CallingRecord>,
        /// Why it comes.
        origin: PreviewOrigin,
    },
    /// The network's answer to a campaign dial; see [`Center::dial_answers`].
    DialAnswers {
        /// The record being dialled.
        record: RecordId,
        /// What the number did.
        outcome: DialOutcome,
    },
    /// An administrator replaces the whole directory; see [`Center::save_directory`].
    SaveDirectory {
        /// The directory (boxed: inputs stay small).
        directory: Box<Directory>,
    },
    /// An administrator creates, changes or removes a team; see [`Center::save_team`].
    SaveTeam {
        /// The team.
        id: TeamId,
        /// What it is to be; none removes it.
        team: Option<Team>,
    },
    /// An administrator creates, replaces or removes a user's entry; see
    /// [`Center::save_member`].
    SaveMember {
        /// The user.
        user: UserId,
        /// What it is to be; none removes it (boxed: inputs stay small).
        member: Option<Box<Member>>,
    },
    /// An external presence system changed a user's status (N7); see
    /// [`Center::external_status`].
    ExternalStatus {
        /// The user.
        user: UserId,
        /// The status.
        status: StatusId,
        /// Its secondary status.
        secondary: Option<SecondaryId>,
    },
    /// Time passed: fire what is due; see [`Center::handle_timeout`].
    Timeout,
}

/// What an input answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The answer to a command.
    Reply(Reply),
    /// The new contact, or why there is none.
    Contact(Result<ContactId, CommandError>),
    /// A simulator-side input was applied, or why not.
    Done(Result<(), CommandError>),
    /// A directory change was applied, or why not.
    Directory(Result<(), DirectoryError>),
    /// A session or timer input; nothing to answer.
    Applied,
}

/// An applied input: its outcome, and whether it changed the center (an
/// input that did not need not be logged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// What it answered.
    pub outcome: Outcome,
    /// Whether the state may differ from before. False only when no timer
    /// was due and the input was refused, repeated, or a tick.
    pub changed: bool,
}

impl Center {
    /// Applies one input at `now`: the only path a logging host uses, so
    /// that a replay of the logged inputs rebuilds the same center.
    pub fn apply(&mut self, now: ServerTime, input: Input) -> Applied {
        let before = (self.events.len() + self.list_writes.len(), self.next_id, self.next_arrival);
        // Every input fires the timers that are due first; some change the
        // state without an event (a grace that ends while the agent works).
        let due = self.poll_timeout().is_some_and(|at| at <= now);
        let (outcome, succeeded) = match input {
            Input::Command { actor, id, kind } => {
                let (reply, repeat) = self.command_once(now, &actor, id, kind);
                let applied = reply.is_ok() && !repeat;
                (Outcome::Reply(reply), applied)
            }
            Input::Connect { session, user } => {
                self.connect(now, session, &user);
                (Outcome::Applied, true)
            }
            Input::Disconnect { session } => {
                self.disconnect(now, session);
                (Outcome::Applied, true)
            }
            Input::EnqueueContact { queue, channel, from } => {
                let result = self.enqueue_contact(now, &queue, channel, &from);
                let ok = result.is_ok();
                (Outcome::Contact(result), ok)
            }
            Input::CustomerHangUp { contact } => done(self.customer_hang_up(now, contact)),
            Input::OfferUndeliverable { offer, cause } => done(self.offer_undeliverable(now, offer, cause)),
            Input::NumberAnswers { interaction, answered } => done(self.number_answers(now, interaction, answered)),
            Input::PartyHangsUp { interaction, participant } => done(self.party_hangs_up(now, interaction, participant)),
            Input::SaveCampaign { campaign } => done(self.save_campaign(now, *campaign)),
            Input::PushPreview { agent, record, origin } => done(self.push_preview(now, &agent, *record, origin)),
            Input::DialAnswers { record, outcome } => done(self.dial_answers(now, record, outcome)),
            Input::SaveDirectory { directory } => {
                let saved = self.save_directory(*directory);
                self.route(now);
                directory_done(saved)
            }
            Input::SaveTeam { id, team } => directory_done(self.save_team(id, team)),
            Input::SaveMember { user, member } => {
                let saved = self.save_member(user, member.map(|m| *m));
                // A new membership may give a waiting contact its agent now.
                self.route(now);
                directory_done(saved)
            }
            Input::ExternalStatus { user, status, secondary } => done(self.external_status(now, &user, status, secondary)),
            Input::Timeout => {
                self.handle_timeout(now);
                (Outcome::Applied, false)
            }
        };
        let changed = due || succeeded || before != (self.events.len() + self.list_writes.len(), self.next_id, self.next_arrival);
        Applied { outcome, changed }
    }
}

fn done(result: Result<(), CommandError>) -> (Outcome, bool) {
    let ok = result.is_ok();
    (Outcome::Done(result), ok)
}

fn directory_done(result: Result<(), DirectoryError>) -> (Outcome, bool) {
    let ok = result.is_ok();
    (Outcome::Directory(result), ok)
}
