//! Who may do what to a call, in which states, and where control and the
//! wrap-up code go afterwards (SPEC V1, V6, F3, F4, F5, F7): one table,
//! [`TABLE`], that the rules read for the center and for the replica alike.
//!
//! Control and the wrap-up code move together: the agent in control owns
//! the code. Only two things move them: the agent in control leaving (exit
//! conference, F4, or a transfer it completes) and the call ending, which
//! leaves the code with the last agent in control.

use super::call::{Call, CallState};
use super::UserId;

/// A call action, as the table knows it: a command, split where the same
/// command means different things by whom it is aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallAction {
    /// Put the customer on hold (V2).
    HoldCustomer,
    /// Take the customer off hold (V2).
    ResumeCustomer,
    /// Keep a conferenced party on hold: withdraw its talk permission (F3).
    HoldParty,
    /// Allow a conferenced party to talk (F3).
    AllowParty,
    /// Put the consulted party on hold: consult on hold (V1).
    HoldConsulted,
    /// Take the consulted party off hold (V1).
    ResumeConsulted,
    /// Ask for a consult (V6, F5).
    Consult,
    /// Bring a party straight in (V4, C2, F5).
    Conference,
    /// Blind transfer: the customer goes to the target (V4).
    Transfer,
    /// End a consult, asked or answered (V6).
    EndConsult,
    /// Hand this agent's place to the consulted party (V6).
    CompleteTransfer,
    /// Turn the consult into a conference (F2).
    StartConference,
    /// Leave a call that goes on: exit conference for the agent in control
    /// (F4), leave for the others (F5).
    Leave,
    /// End the call for everyone (V3, F8).
    End,
    /// Send DTMF digits (V5).
    Dtmf,
    /// Start recording (V7).
    Record,
    /// Start another interaction with the customer (V8).
    FollowUp,
    /// Mark done with a wrap-up code (V3, F5).
    DoneWithCode,
    /// Mark done without a code: wrap-up assist (F5).
    DoneWithoutCode,
}

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The agent in control (F3).
    Controller,
    /// Any agent on the call, conferenced agents included (F5); dialled
    /// numbers have no controls (F6).
    AnyAgent,
    /// The agent who asked for the consult or conference (V6).
    Initiator,
    /// The initiator, or the consulted agent once it answered (V6: either
    /// side may end it).
    ConsultSide,
    /// The agent who owns the wrap-up code (F5).
    Owner,
    /// Any agent whose part is in wrap-up (F5: wrap-up assist).
    AnyInWrapUp,
}

/// When an action may be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// While this agent is on the call, in one of these call states.
    OnCall(&'static [CallState]),
    /// While this agent's part is in wrap-up.
    WrapUp,
}

/// Where control and the wrap-up code are after the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Afterwards {
    /// Where they were.
    Unchanged,
    /// If the actor was in control, both go to the consulted agent (or, for
    /// a consulted number, to the agent present longest); otherwise they
    /// stay, and the actor hands over only its own place.
    ActorPlaceToConsulted,
    /// If the actor was in control, both go to the agent present longest (F4).
    ActorControlToLongestPresent,
    /// The call ends; the code stays with the agent in control.
    CallEnds,
    /// The customer leaves for the target and the call ends for this agent,
    /// who keeps the code of its part.
    CustomerLeaves,
}

/// One row of the control table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The action.
    pub action: CallAction,
    /// Who may take it.
    pub who: Who,
    /// When.
    pub when: When,
    /// Where control and the wrap-up code go.
    pub afterwards: Afterwards,
    /// The SPEC rules the row comes from.
    pub spec: &'static str,
}

use CallState::{
    ConferenceRequested, Conference, Connected, ConsultOnHold, ConsultRequested, Consulting, CustomerLeft, OnHold,
};

/// States in which the call is open to new parties, hold and consults (F7:
/// not after the customer left; one request or consult at a time).
const SETTLED: &[CallState] = &[Connected, OnHold, Conference];
/// Every state of a call an agent is on.
const ANY: &[CallState] =
    &[Connected, OnHold, ConsultRequested, Consulting, ConsultOnHold, ConferenceRequested, Conference, CustomerLeft];
/// Every state with the customer still on the line.
const CUSTOMER_ON: &[CallState] =
    &[Connected, OnHold, ConsultRequested, Consulting, ConsultOnHold, ConferenceRequested, Conference];
/// An answered consult.
const CONSULTING: &[CallState] = &[Consulting, ConsultOnHold];

/// Who may do what to a call, when, and what it does to control (F3-F5).
pub const TABLE: &[Row] = &[
    row(CallAction::HoldCustomer, Who::Controller, When::OnCall(&[Connected, Conference]), Afterwards::Unchanged, "V2, F3"),
    row(CallAction::ResumeCustomer, Who::Controller, When::OnCall(&[OnHold]), Afterwards::Unchanged, "V2, V6, F3"),
    row(CallAction::HoldParty, Who::Controller, When::OnCall(&[Conference, OnHold, Consulting, ConsultOnHold]), Afterwards::Unchanged, "F3"),
    row(CallAction::AllowParty, Who::Controller, When::OnCall(&[Conference, OnHold, Consulting, ConsultOnHold]), Afterwards::Unchanged, "F3"),
    row(CallAction::HoldConsulted, Who::Initiator, When::OnCall(&[Consulting]), Afterwards::Unchanged, "V1"),
    row(CallAction::ResumeConsulted, Who::Initiator, When::OnCall(&[ConsultOnHold]), Afterwards::Unchanged, "V1"),
    row(CallAction::Consult, Who::AnyAgent, When::OnCall(SETTLED), Afterwards::Unchanged, "V6, F5"),
    row(CallAction::Conference, Who::AnyAgent, When::OnCall(SETTLED), Afterwards::Unchanged, "V4, C2, F5"),
    row(CallAction::Transfer, Who::Controller, When::OnCall(&[Connected, OnHold]), Afterwards::CustomerLeaves, "V4, F4"),
    row(
        CallAction::EndConsult,
        Who::ConsultSide,
        When::OnCall(&[ConsultRequested, ConferenceRequested, Consulting, ConsultOnHold]),
        Afterwards::Unchanged,
        "V6",
    ),
    row(CallAction::CompleteTransfer, Who::Initiator, When::OnCall(CONSULTING), Afterwards::ActorPlaceToConsulted, "V6, F4, F5"),
    row(CallAction::StartConference, Who::Initiator, When::OnCall(CONSULTING), Afterwards::Unchanged, "F2, F5"),
    row(CallAction::Leave, Who::AnyAgent, When::OnCall(ANY), Afterwards::ActorControlToLongestPresent, "F4, F5"),
    row(CallAction::End, Who::Controller, When::OnCall(ANY), Afterwards::CallEnds, "V3, F3, F8"),
    row(CallAction::Dtmf, Who::AnyAgent, When::OnCall(CUSTOMER_ON), Afterwards::Unchanged, "V5, F7"),
    row(CallAction::Record, Who::AnyAgent, When::OnCall(CUSTOMER_ON), Afterwards::Unchanged, "V7, F7"),
    row(CallAction::FollowUp, Who::AnyAgent, When::OnCall(ANY), Afterwards::Unchanged, "V8"),
    row(CallAction::DoneWithCode, Who::Owner, When::WrapUp, Afterwards::Unchanged, "V3, F5"),
    row(CallAction::DoneWithoutCode, Who::AnyInWrapUp, When::WrapUp, Afterwards::Unchanged, "V3, F5"),
];

const fn row(action: CallAction, who: Who, when: When, afterwards: Afterwards, spec: &'static str) -> Row {
    Row { action, who, when, afterwards, spec }
}

// One row per action, in the order of the enum, so a row is found by index.
const _: () = assert!(TABLE.len() == CallAction::DoneWithoutCode as usize + 1);

/// The table's row for `action`.
pub fn row_of(action: CallAction) -> &'static Row {
    &TABLE[action as usize]
}

impl Who {
    /// Whether `agent` is who the row names, on `call`.
    pub fn includes(self, call: &Call, agent: &UserId) -> bool {
        match self {
            Who::Controller => call.controls(agent),
            Who::AnyAgent => call.agent_participant(agent).is_some(),
            Who::Initiator => {
                call.invitation.as_ref().is_some_and(|i| &i.by == agent) || call.consult.as_ref().is_some_and(|c| &c.by == agent)
            }
            Who::ConsultSide => {
                Who::Initiator.includes(call, agent) || call.consulted().and_then(|p| p.agent()) == Some(agent)
            }
            Who::Owner => &call.owner == agent,
            Who::AnyInWrapUp => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [CallAction; 19] = [
        CallAction::HoldCustomer,
        CallAction::ResumeCustomer,
        CallAction::HoldParty,
        CallAction::AllowParty,
        CallAction::HoldConsulted,
        CallAction::ResumeConsulted,
        CallAction::Consult,
        CallAction::Conference,
        CallAction::Transfer,
        CallAction::EndConsult,
        CallAction::CompleteTransfer,
        CallAction::StartConference,
        CallAction::Leave,
        CallAction::End,
        CallAction::Dtmf,
        CallAction::Record,
        CallAction::FollowUp,
        CallAction::DoneWithCode,
        CallAction::DoneWithoutCode,
    ];

    #[test]
    fn every_action_has_its_row_at_its_index() {
        for action in ALL {
            assert_eq!(row_of(action).action, action);
        }
    }

    /// SPEC F4, F5: only leaving, a completed transfer and the end move control.
    #[test]
    fn only_leaving_and_ending_move_control() {
        for row in TABLE {
            let moves = row.afterwards != Afterwards::Unchanged;
            let expected = matches!(row.action, CallAction::Leave | CallAction::CompleteTransfer | CallAction::End | CallAction::Transfer);
            assert_eq!(moves, expected, "{:?}", row.action);
        }
    }
}
