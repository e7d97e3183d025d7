// Generated from the Rust types by `./scripts/gen-types`; do not edit.
// Field names are the wire's and the view's (snake_case).

/**
 * Every stable error code: refusals of commands and frames, the server's own
 * conditions, and the codes this package makes up itself (docs/protocol.md).
 */
export type ErrorCode =
  | "already_authenticated"
  | "already_logged_in"
  | "bad_argument"
  | "bad_config"
  | "bad_request"
  | "bad_url"
  | "busy"
  | "call_in_wrap_up"
  | "call_result_required"
  | "closed"
  | "conference_full"
  | "encode_failed"
  | "forbidden"
  | "hello_required"
  | "hello_timeout"
  | "history_full"
  | "interactions_in_progress"
  | "invalid_message"
  | "invalid_transition"
  | "logout_not_allowed"
  | "malformed_frame"
  | "monitoring_full"
  | "no_capacity"
  | "not_in_control"
  | "not_in_rona"
  | "not_logged_in"
  | "not_monitoring"
  | "not_on_this_channel"
  | "not_ready"
  | "not_recordable"
  | "not_synced"
  | "not_wrap_up_owner"
  | "offer_expired"
  | "oversize_frame"
  | "preview_expired"
  | "protocol_version"
  | "rate_limited"
  | "record_stale"
  | "report_failed"
  | "reschedule_in_past"
  | "reschedule_not_allowed"
  | "secondary_required"
  | "send_failed"
  | "status_system_only"
  | "target_unavailable"
  | "timeout"
  | "token_expired"
  | "too_many_pending"
  | "too_many_sessions"
  | "unauthorized"
  | "unavailable"
  | "unknown_agent"
  | "unknown_call_result"
  | "unknown_contact"
  | "unknown_interaction"
  | "unknown_kind"
  | "unknown_offer"
  | "unknown_participant"
  | "unknown_queue"
  | "unknown_record"
  | "unknown_secondary"
  | "unknown_status"
  | "unknown_wrap_up_code"
  | "unsupported_protocol"
  | "wasm_load_failed"
  | "wrap_up_code_required"
;

/** What a user is doing, shown under its presence (S12). */
export type Activity = "on_call" | "in_interaction" | "in_meeting";

/** What happens when a lost connection is not back within the grace (N3). */
export type AfterGrace = "log_out" | "login_again";

/** Everything the agent's desk needs to know about its own agent. */
export type AgentState = {
  /** The agent. */
  agent: UserId,
  /** Whether the agent is logged in. */
  logged_in: boolean,
  /** Whether at least one session of the agent is connected (N3). */
  connected: boolean,
  /** The current status (S1). */
  status: StatusId,
  /** When the current status began (T1). */
  status_since: ServerTime,
  /** When the current run of idle statuses began, while idle (T2). */
  idle_run_since: ServerTime | null,
  /** The secondary status, if any (S6). */
  secondary: SecondaryId | null,
  /** Why the agent is in rona, while it is (O3, O4). */
  rona_cause: RonaCause | null,
  /** Offers waiting for accept, oldest first. */
  offers: Array<Offer>,
  /** Accepted work not yet done, oldest first. */
  interactions: Array<InteractionInfo>,
  /** Campaign records at this agent, oldest first (P2-P8). */
  outbound: Array<OutboundWork>,
  /**
   * The media types chosen for push preview at login (P1); none: no
   * previews.
   */
  preview_media: Array<Channel>,
  /**
   * No new preview until the agent asks for one ("done and stop", or a
   * preview left unanswered; W1, P3).
   */
  preview_paused: boolean,
  /** Where the user is, and whether others may see it (S12). */
  location?: Location | null,
  /** Supervisors: the calls being monitored (M1-M3). */
  monitoring?: Array<Monitoring>,
  /**
   * The offers to this agent that expired lately (O3), newest last, at
   * most [`MAX_EXPIRED_OFFERS`]: a late accept or decline of one is
   * refused as `offer_expired`, not as an offer it never had.
   */
  expired_offers?: Array<OfferId>,
};

/** The conversation shared by every agent on an interaction. */
export type Call = {
  /** Who is on it now, in joining order. */
  participants: Array<Participant>,
  /** The agent in control: exactly one while agents remain (F3, F4). */
  primary: UserId | null,
  /** The agent whose wrap-up code closes the interaction (F5). */
  owner: UserId,
  /** Most participants at once, customer and primary included (F1). */
  limit: number,
  /** A party asked to join, not yet answered. */
  invitation: Invitation | null,
  /** An answered consult. */
  consult: Consult | null,
  /** Whether the customer has left (F7). */
  customer_left: boolean,
  /** Whether the line can record on demand (V7: SIP lines only). */
  recordable: boolean,
  /** Whether it is recording. */
  recording: boolean,
  /** The case history: DTMF digits, recording, transfers. */
  history: Array<Note>,
  /** Consult time so far (T5). */
  consult_ms: number,
  /** Next participant id. */
  next_participant: number,
};

/** The state of the conversation (V1, C1, C2), derived from its parts. */
export type CallState = "connected" | "on_hold" | "consult_requested" | "consulting" | "consult_on_hold" | "conference_requested" | "conference" | "customer_left";

/** Who a callback is for (W2). */
export type CallbackKind = "personal" | "campaign";

/**
 * Sounds the desk plays on callback events (W6): a sound name or URL per
 * event, none to stay silent.
 */
export type CallbackSounds = {
  /** A callback preview is offered. */
  offered: string | null,
  /** The callback's call is put on hold. */
  held: string | null,
  /** The callback's call is taken off hold. */
  retrieved: string | null,
  /** The callback's call ends. */
  ended: string | null,
};

/**
 * A record of a calling list: the contact, its chained numbers, and what
 * happened to it.
 */
export type CallingRecord = {
  /** Its id. */
  id: RecordId,
  /** Its campaign. */
  campaign: CampaignId,
  /** The contact's name. */
  name: string,
  /** The campaign's custom fields for this contact. */
  fields: { [key in string]: string },
  /** The chained records: the contact's numbers (P4, P6). */
  chain: Array<string>,
  /** Which of them is dialled on connect. */
  active: number,
  /** Where it is. */
  status: RecordStatus,
  /** How many times it was dialled. */
  attempts: number,
  /** The last call result chosen (P6). */
  result: string | null,
  /** Its callback, if one is set (W2). */
  schedule: Schedule | null,
  /** The agent it is at, while it is at one. */
  agent: UserId | null,
  /**
   * Agents who rejected it lately, passed over when it is offered again
   * (W7); the last few only.
   */
  rejected_by: Array<UserId>,
};

/** The part of a campaign a desk needs beside a record (P6, P7, W2, W6). */
export type CampaignBrief = {
  /** The campaign. */
  id: CampaignId,
  /** Its name. */
  name: string,
  /** The call results to choose from. */
  results: Array<string>,
  /** Whether mark done needs a call result (P7). */
  disposition_required: boolean,
  /** Whether reschedule is allowed before dialling (W2). */
  reschedule_before_dial: boolean,
  /** Participants on a call, customer included. */
  conference_limit: number,
  /** The custom fields, in display order. */
  fields: Array<string>,
  /** Sounds for callback events (W6). */
  sounds: CallbackSounds,
};

/** An outbound campaign (SPEC P1-P8). */
export type CampaignId = string;

/** The media channel of a contact, with its own offer timeout and capacity. */
export type Channel = "voice" | "chat" | "email" | "social";

/** Offer timeout and capacity of one channel (O1, E2). */
export type ChannelSettings = {
  /** Time an agent has to accept an offer, in milliseconds (O1). */
  offer_timeout_ms: number,
  /** How many interactions of this channel one agent handles at once (E2). */
  capacity: number,
};

/**
 * Settings of every channel. A struct rather than a map: every channel is
 * always present, and the browser build carries no map code for it.
 */
export type ChannelTable = {
  /** Phone calls. */
  voice: ChannelSettings,
  /** Web chats. */
  chat: ChannelSettings,
  /** Emails. */
  email: ChannelSettings,
  /** Social-media conversations. */
  social: ChannelSettings,
};

/** A message from a client to the server. */
export type ClientMessage = { "hello": {
    /** A signed token naming the user and role. */
    token: string,
    /** The last event number the client holds; `None` asks for a snapshot. */
    resume?: Seq | null,
    /** The protocol version the client speaks. */
    protocol?: number,
} } | { "command": {
    /** Client-chosen id; a repeat gets the first answer. */
    id: CommandId,
    /** What to do. */
    kind: Command,
} } | "resync" | { "ping": {
    /** The client's monotonic time when sent. */
    client_time: number,
} } | { "subscribe_roster": {
    /** Where the client's roster is; `None` asks for a snapshot. */
    resume?: RosterPosition | null,
} } | "unsubscribe_roster";

/** What an agent (or supervisor) asks the authority to do. */
export type Command = "login" | "logout" | { "set_status": {
    /** The status. */
    status: StatusId,
    /** Its secondary status (S6). */
    secondary?: SecondaryId | null,
} } | { "accept": {
    /** The offer. */
    offer: OfferId,
} } | { "decline": {
    /** The offer. */
    offer: OfferId,
} } | { "end": {
    /** The interaction. */
    interaction: InteractionId,
} } | { "done": {
    /** The interaction. */
    interaction: InteractionId,
    /** The wrap-up code; required when the profile says so. */
    code?: WrapUpCodeId | null,
} } | { "outdial": {
    /** The number to dial. */
    number: string,
} } | { "logout_agent": {
    /** The agent. */
    agent: UserId,
} } | { "hold": {
    /** The interaction. */
    interaction: InteractionId,
    /** Whom; the customer if none. */
    participant?: ParticipantId | null,
} } | { "resume": {
    /** The interaction. */
    interaction: InteractionId,
    /** Whom; the customer if none. */
    participant?: ParticipantId | null,
} } | { "transfer": {
    /** The interaction. */
    interaction: InteractionId,
    /** To whom. */
    target: Target,
} } | { "consult": {
    /** The interaction. */
    interaction: InteractionId,
    /** Whom. */
    target: Target,
} } | { "conference": {
    /** The interaction. */
    interaction: InteractionId,
    /** Whom. */
    target: Target,
} } | { "end_consult": {
    /** The interaction. */
    interaction: InteractionId,
} } | { "complete_transfer": {
    /** The interaction. */
    interaction: InteractionId,
} } | { "start_conference": {
    /** The interaction. */
    interaction: InteractionId,
} } | { "leave": {
    /** The interaction. */
    interaction: InteractionId,
} } | { "dtmf": {
    /** The interaction. */
    interaction: InteractionId,
    /** Digits: 0-9, * and #. */
    digits: string,
} } | { "record": {
    /** The interaction. */
    interaction: InteractionId,
} } | { "follow_up": {
    /** The interaction whose customer to reach. */
    interaction: InteractionId,
    /** The channel. */
    channel: Channel,
} } | { "preview_media": {
    /** The media types; none stops previews. */
    media: Array<Channel>,
} } | "get_record" | { "accept_preview": {
    /** The record. */
    record: RecordId,
} } | { "reject_preview": {
    /** The record. */
    record: RecordId,
} } | { "dial": {
    /** The record. */
    record: RecordId,
    /** The number to dial instead of the active one. */
    number?: string | null,
} } | { "cancel_record": {
    /** The record. */
    record: RecordId,
} } | { "transfer_record": {
    /** The record. */
    record: RecordId,
    /** The agent. */
    agent: UserId,
} } | { "edit_record": {
    /** The record. */
    record: RecordId,
    /** Field names and their new values. */
    fields: { [key in string]: string },
} } | { "add_chained": {
    /** The record. */
    record: RecordId,
    /** The number. */
    number: string,
} } | { "set_active": {
    /** The record. */
    record: RecordId,
    /** Its position in the chain, from 0. */
    index: number,
} } | { "update_record": {
    /** The record. */
    record: RecordId,
} } | { "reschedule": {
    /** The record. */
    record: RecordId,
    /** When (server milliseconds, UTC). */
    at: ServerTime,
    /** Another number to call then. */
    number?: string | null,
    /** A personal callback (this agent) rather than a campaign one. */
    personal?: boolean,
} } | { "cancel_reschedule": {
    /** The record. */
    record: RecordId,
} } | { "call_result": {
    /** The record. */
    record: RecordId,
    /** One of the campaign's results. */
    result: string,
} } | { "do_not_call": {
    /** The record. */
    record: RecordId,
} } | { "mark_done": {
    /** The record. */
    record: RecordId,
    /** Done and stop. */
    stop?: boolean,
} } | "present" | { "set_location": {
    /** The place; none clears it. */
    text?: string | null,
    /** Whether other users see it. */
    shared?: boolean,
} } | { "set_favourites": {
    /** The users. */
    users: Array<UserId>,
} } | { "monitor": {
    /** The interaction. */
    interaction: InteractionId,
    /** The agent on it to monitor through. */
    agent: UserId,
} } | { "pause_monitoring": {
    /** The interaction. */
    interaction: InteractionId,
} } | { "resume_monitoring": {
    /** The interaction. */
    interaction: InteractionId,
} } | { "barge_in": {
    /** The interaction. */
    interaction: InteractionId,
} } | { "stop_monitoring": {
    /** The interaction. */
    interaction: InteractionId,
} };

/** A command id chosen by the client; a repeated id is applied once (SPEC N1). */
export type CommandId = string;

/** Where the connection is, as the page shows it. */
export type ConnectionState = "closed" | "connecting" | "live" | "waiting" | "unauthorized" | "incompatible";

/** An answered consult: the customer waits on hold while two parties talk (V6). */
export type Consult = {
  /** The agent who asked for it. */
  by: UserId,
  /** The consulted participant. */
  party: ParticipantId,
  /** When it was answered (T3 consult timer). */
  since: ServerTime,
  /** As [`Invitation::resume_customer`]. */
  resume_customer: boolean,
};

/** A customer contact that arrived on a queue (or an outdial target). */
export type ContactId = number;

/** What a dialled campaign number did. */
export type DialOutcome = "answered" | "no_answer" | "busy" | "wrong_number";

/** What happens to a direct (non-queue) call while in a status (S1, S3). */
export type DirectCallPolicy = "ring" | "voicemail" | "ring_then_voicemail";

/** Who ended an interaction. */
export type EndedBy = "agent" | "customer";

/** A numbered, timestamped event about one agent (N2). */
export type Event = {
  /** Its place in the agent's stream: 1, 2, 3... without gaps. */
  seq: Seq,
  /** Server time when it happened. */
  at: ServerTime,
  /** The agent it concerns. */
  agent: UserId,
  /** What happened. */
  kind: EventKind,
};

/** A change to one agent's state, as the authority decided it. */
export type EventKind = "logged_in" | { "logged_out": {
    /** Why. */
    reason: LogoutReason,
} } | { "status_changed": {
    /** The new status. */
    status: StatusId,
    /** When it began. */
    since: ServerTime,
    /** Its secondary status (S6). */
    secondary: SecondaryId | null,
    /** Start of the idle run, while idle (T2). */
    idle_run_since: ServerTime | null,
    /** Why, when the new status is rona (O3, O4). */
    rona_cause: RonaCause | null,
} } | { "connection_changed": {
    /** Whether any session is connected now. */
    connected: boolean,
} } | { "offer_created": {
    /** The offer. */
    offer: Offer,
} } | { "offer_ended": {
    /** The offer. */
    offer: OfferId,
    /** How. */
    outcome: OfferOutcome,
} } | { "interaction_started": {
    /** The interaction. */
    interaction: InteractionInfo,
} } | { "call_changed": {
    /** The interaction. */
    interaction: InteractionId,
    /** The conversation now. */
    call: Call,
} } | { "interaction_wrap_up": {
    /** The interaction. */
    interaction: InteractionId,
    /** When wrap-up began. */
    since: ServerTime,
    /** Who ended it. */
    by: EndedBy,
} } | { "interaction_done": {
    /** The interaction. */
    interaction: InteractionId,
    /** The wrap-up code chosen. */
    code: WrapUpCodeId | null,
    /** Total handling time from start to done, consult time included (T5). */
    handling_ms: number,
    /** The part of it spent consulting (T5). */
    consult_ms: number,
} } | { "preview_media_chosen": {
    /** The media types. */
    media: Array<Channel>,
} } | { "preview_paused": {
    /** Whether it is stopped. */
    paused: boolean,
} } | { "outbound_changed": {
    /** The record as the agent works it now (boxed: events stay small). */
    work: OutboundWork,
} } | { "outbound_ended": {
    /** The record. */
    record: RecordId,
    /** How. */
    outcome: OutboundOutcome,
} } | { "location_changed": {
    /** The location; none: not given. */
    location: Location | null,
} } | { "monitoring_changed": {
    /** The monitoring now (boxed: events stay small). */
    monitoring: Monitoring,
} } | { "monitoring_ended": {
    /** The interaction. */
    interaction: InteractionId,
    /** Why. */
    reason: MonitoringEnd,
} } | { "monitored_changed": {
    /** The interaction. */
    interaction: InteractionId,
    /** Whether it is monitored now. */
    monitored: boolean,
} };

/**
 * What an agent may do on an interaction; each flag is the shared rules'
 * answer, so the desk never offers what the server would refuse.
 */
export type InteractionActions = {
  /** End the call for everyone (V3, F8). */
  end: boolean,
  /** Mark done; with a code when `done_needs_code` says so (V3, F5). */
  done: boolean,
  /** Put the customer on hold (V2). */
  hold: boolean,
  /** Take the customer off hold (V2). */
  resume: boolean,
  /** Ask for a consult (V6). */
  consult: boolean,
  /** Bring someone straight in (V4, C2). */
  conference: boolean,
  /** Blind transfer (V4); not during a conference (F4). */
  transfer: boolean,
  /** End the consult, asked or answered (V6). */
  end_consult: boolean,
  /** Hand the customer to the consulted party (V6). */
  complete_transfer: boolean,
  /** Turn the consult into a conference (F2). */
  start_conference: boolean,
  /** Leave a call that goes on: "exit conference" for the primary (F4, F5). */
  leave: boolean,
  /** Send DTMF digits (V5). */
  dtmf: boolean,
  /** Start recording (V7). */
  record: boolean,
  /** Channels a follow-up interaction may start on (V8). */
  follow_up: Array<Channel>,
};

/** An accepted piece of work: a call, chat, email or social conversation. */
export type InteractionId = number;

/** An accepted piece of work. */
export type InteractionInfo = {
  /** The interaction. */
  id: InteractionId,
  /** The customer contact. */
  contact: ContactId,
  /** Its channel. */
  channel: Channel,
  /** How it came about. */
  origin: Origin,
  /** The queue it came from, if routed. */
  queue: QueueId | null,
  /** Who the customer is. */
  from: string,
  /** Its state. */
  state: InteractionState,
  /** When it was accepted or placed (T3 connected timer). */
  started_at: ServerTime,
  /** When the current state began. */
  state_since: ServerTime,
  /** The conversation, shared with every agent on it. */
  call: Call,
  /**
   * Whether a supervisor monitors it; set only where the profile shows
   * monitoring to the agent (M1).
   */
  monitored?: boolean,
};

/** Where an interaction is in its lifecycle (V3, C1). */
export type InteractionState = "active" | "wrap_up";

/** An interaction card (T3, V1-V8, F1-F8). */
export type InteractionView = {
  /** The interaction. */
  id: InteractionId,
  /** Its channel. */
  channel: Channel,
  /** How it came about. */
  origin: Origin,
  /** Who the customer is. */
  from: string,
  /** This agent's part: on the call or in wrap-up. */
  state: InteractionState,
  /** The conversation's state (V1, C2, F7). */
  call_state: CallState,
  /** Time since this agent joined (T3). */
  connected: string,
  /** Time the customer has been on hold, while held (T3). */
  held: string | null,
  /** Time in the answered consult, while consulting (T3). */
  consulting: string | null,
  /** Time the consulted party has been on hold, in consult on hold (V1, T3). */
  consult_held: string | null,
  /** Time in wrap-up, while in wrap-up. */
  wrap_up: string | null,
  /** Whether this agent is in control of the call (F3). */
  in_control: boolean,
  /** Whether this agent applies the wrap-up code (F5). */
  owner: boolean,
  /** Whether done waits for a wrap-up code from this agent (V3, F5). */
  done_needs_code: boolean,
  /** Whether the call is being recorded (V7). */
  recording: boolean,
  /** Who is on it, in joining order. */
  participants: Array<ParticipantView>,
  /** Case history: DTMF digits, recording, transfers (V5). */
  history: Array<Note>,
  /**
   * Whether a supervisor monitors it; only where the profile shows
   * monitoring to agents (M1).
   */
  monitored: boolean,
  /** The actions this agent may take now. */
  actions: InteractionActions,
};

/** A party asked to join and not yet answered (consult or conference requested). */
export type Invitation = {
  /** Consult or conference. */
  purpose: Purpose,
  /** The agent who asked. */
  by: UserId,
  /** Whom. */
  target: Target,
  /** When it was asked. */
  since: ServerTime,
  /** The offer made to a named target agent. */
  offer: OfferId | null,
  /**
   * For a queue target: the request waiting in that queue like a contact,
   * offered in turn with its own deadline and RONA rules.
   */
  queued: ContactId | null,
  /**
   * Whether the customer comes off hold when the consult ends: it was
   * talking when an agent not in control asked, so the conference goes on.
   */
  resume_customer: boolean,
};

/** An invitation to join a running interaction (V6, C2). */
export type JoinRequest = {
  /** The interaction. */
  interaction: InteractionId,
  /** Consult or conference. */
  purpose: Purpose,
  /** The agent who asks. */
  by: UserId,
};

/** A location a user gave, shared with others or not (S12). */
export type Location = {
  /** The place, as the user wrote it. */
  text: string,
  /** Whether other users see it. */
  shared: boolean,
};

/** Why an agent was logged out. */
export type LogoutReason = "agent" | "supervisor" | "connection_lost";

/** How the supervisor is on the call (M1). */
export type MonitorMode = "silent" | "barge_in";

/** One call a supervisor monitors. */
export type Monitoring = {
  /** The interaction. */
  interaction: InteractionId,
  /** The agents it goes through, in the order they were monitored. */
  agents: Array<UserId>,
  /** The call's channel. */
  channel: Channel,
  /** Who the customer is. */
  from: string,
  /** Silent or barged in. */
  mode: MonitorMode,
  /** Whether it is paused (M1 "monitoring paused"). */
  paused: boolean,
  /** When it started. */
  since: ServerTime,
};

/** What a supervisor may do to a monitoring now, from the shared rules. */
export type MonitoringActions = {
  /** Pause a silent monitoring (M1). */
  pause: boolean,
  /** Resume a paused one (M1). */
  resume: boolean,
  /** Join the call and talk (M1). */
  barge_in: boolean,
  /** Stop and leave the call. */
  stop: boolean,
};

/** Why a monitoring ended. */
export type MonitoringEnd = "stopped" | "agent_left" | "call_over" | "logged_out";

/** A monitoring's state as a desk shows it (M1). */
export type MonitoringState = "monitoring" | "monitoring_paused";

/** A call a supervisor monitors (M1-M3). */
export type MonitoringView = {
  /** The interaction. */
  interaction: InteractionId,
  /** The agents it goes through. */
  agents: Array<UserId>,
  /** The call's channel. */
  channel: Channel,
  /** Who the customer is. */
  from: string,
  /** Silent or barged in. */
  mode: MonitorMode,
  /** The M1 state: `monitoring` or `monitoring_paused`. */
  state: MonitoringState,
  /** Time since it started. */
  timer: string,
  /** The monitoring actions enabled now. */
  actions: MonitoringActions,
};

/** A line of the interaction's case history (V5 DTMF digits, V7 recording). */
export type Note = {
  /** When. */
  at: ServerTime,
  /** Who. */
  by: UserId,
  /** What. */
  text: string,
};

/** A contact offered to the agent, with its server deadline (O1, O7). */
export type Offer = {
  /** The offer. */
  id: OfferId,
  /** The offered contact. */
  contact: ContactId,
  /** Its channel. */
  channel: Channel,
  /** The queue it came from; none for a request to join an outdial. */
  queue: QueueId | null,
  /** Who the customer is (caller id, chat name, address). */
  from: string,
  /** When the offer was made. */
  offered_at: ServerTime,
  /** When it expires and the agent goes to rona (O3). */
  deadline: ServerTime,
  /**
   * Set when the offer asks the agent to join a running interaction
   * (consult or conference), not to take a new contact.
   */
  join: JoinRequest | null,
};

/** An offer of a contact to one agent (SPEC O1-O7). */
export type OfferId = number;

/** How an offer ended; every offer ends exactly once (O7). */
export type OfferOutcome = "accepted" | "declined" | "expired" | "undeliverable" | "withdrawn";

/** An offer card (O1, O2, O7). */
export type OfferView = {
  /** The offer. */
  id: OfferId,
  /** The contact. */
  contact: ContactId,
  /** Its channel. */
  channel: Channel,
  /** Its queue, if routed. */
  queue: QueueId | null,
  /** Who the customer is. */
  from: string,
  /**
   * Set when this is a request to join a running interaction (consult or
   * conference) rather than a new customer.
   */
  join: JoinRequest | null,
  /** Milliseconds left before the deadline. */
  remaining_ms: number,
  /** Time left as text, rounded up to the second. */
  remaining: string,
  /** Whether the accept action flashes now (O2). */
  flashing: boolean,
  /** Whether accept is enabled. */
  can_accept: boolean,
  /** Whether decline is enabled. */
  can_decline: boolean,
};

/** How an interaction came about. */
export type Origin = "inbound" | "outdial" | "follow_up" | "campaign";

/** How a record left an agent. */
export type OutboundOutcome = "done" | "rejected" | "expired" | "cancelled" | "transferred" | "stale" | "withdrawn";

/** A campaign record card: the preview, then the record being worked. */
export type OutboundView = {
  /**
   * The record: contact data, chained numbers with the active one,
   * status (the phase), attempts, call result, callback.
   */
  record: CallingRecord,
  /** Its campaign. */
  campaign: CampaignBrief,
  /** Why it came: `campaign`, `callback` or `personal_callback` (W5). */
  origin: PreviewOrigin,
  /** Whether the preview flashes (P2). */
  flashing: boolean,
  /** While previewing: time left to accept, rounded up to the second (P3). */
  remaining: string | null,
  /** For a callback: time left before it goes stale (P8). */
  stale_in: string | null,
  /** The call, once connected. */
  interaction: InteractionId | null,
  /** The number dialled last. */
  dialled: string | null,
  /** What the last dial did. */
  dial_outcome: DialOutcome | null,
  /** Marked do-not-call (P6). */
  do_not_call: boolean,
  /** Exactly the record actions allowed now. */
  actions: RecordActions,
};

/** A record at an agent: what the desk shows and the rules judge. */
export type OutboundWork = {
  /** The record, its status the phase it is in. */
  record: CallingRecord,
  /** Its campaign, as the desk needs it. */
  campaign: CampaignBrief,
  /** Why it came (W5). */
  origin: PreviewOrigin,
  /** When it was pushed to this agent. */
  since: ServerTime,
  /** While previewing: when it is rejected automatically (P3). */
  deadline: ServerTime | null,
  /** For a callback: when it goes stale if not done (P8). */
  stale_at: ServerTime | null,
  /** The call, once connected. */
  interaction: InteractionId | null,
  /** The number dialled last. */
  dialled: string | null,
  /** What the last dial did. */
  dial_outcome: DialOutcome | null,
  /** Marked do-not-call (P6). */
  do_not_call: boolean,
};

/** One party on the conversation. */
export type Participant = {
  /** Stable within the interaction. */
  id: ParticipantId,
  /** Who it is. */
  party: Party,
  /** When it joined (F4: the longest-present agent takes control). */
  joined_at: ServerTime,
  /** Since when it is on hold, if it is (V2, F3). */
  held_since: ServerTime | null,
};

/** A party on an interaction (SPEC F1-F8). */
export type ParticipantId = number;

/** One party on an interaction card. */
export type ParticipantView = {
  /** The participant. */
  id: ParticipantId,
  /** Who it is. */
  party: Party,
  /** Whether it is this agent. */
  me: boolean,
  /** Whether it is on hold. */
  held: boolean,
  /** Whether it has call controls: agents do, dialled numbers do not (F6). */
  controls: boolean,
  /**
   * Whether it is a conferenced party, whose hold is its talk
   * permission: on hold until the agent in control allows it (F3).
   */
  conferenced: boolean,
  /** Whether this agent may put it on hold, or keep it from talking (F3, V1). */
  can_hold: boolean,
  /** Whether this agent may take it off hold, or allow it to talk (F3, V1). */
  can_resume: boolean,
};

/** Who a participant is. */
export type Party = "customer" | { "agent": UserId } | { "number": string } | { "supervisor": UserId };

/**
 * A user's presence as one viewer may see it.
 *
 * Every viewer sees the primary status with its label and colour, the
 * activity and whether the user is logged in and connected; the location
 * only where the user shares it (S12). Only supervisors and admins see the
 * secondary status, the interactions and the queue memberships (S6).
 */
export type Presence = {
  /** The user. */
  user: UserId,
  /** The primary status. */
  status: StatusId,
  /** Its label ("Out of Office (offline)" for a status kept through logout, S3). */
  label: string,
  /** Its colour. */
  colour: string,
  /** Since when the status is held. */
  since: ServerTime,
  /** What the user is doing, from its interactions (S12). */
  activity: Activity | null,
  /** Whether the user is logged in. */
  logged_in: boolean,
  /** Whether a session of the user is connected. */
  connected: boolean,
  /** The shared location, if the user shares one (S12). */
  location?: string | null,
  /** The teams of the user. */
  teams?: Array<TeamId>,
  /** Supervisors and admins only: the secondary status (S6). */
  secondary?: SecondaryId | null,
  /** Supervisors and admins only: the open interactions, oldest first. */
  interactions?: Array<WorkItem>,
  /** Supervisors and admins only: the queues served, with skill levels. */
  queues?: { [key in QueueId]: number },
};

/** A built-in profile (S2, S3). */
export type Preset = "contact_center" | "presence";

/** Why a record reached an agent (W5). */
export type PreviewOrigin = "campaign" | "callback" | "personal_callback";

/** The organisation's validated profile. */
export type Profile = {
  /** The preset this profile started from. */
  preset: Preset,
  /** The status catalogue (S1). */
  statuses: Array<StatusDef>,
  /** Status given at login (S2, S3). */
  login_status: StatusId,
  /** Status of "Go available" from rona (O5) and after an outdial (E4). */
  available_status: StatusId,
  /** The default idle reason: "Go idle" from rona (O5). */
  default_idle_status: StatusId,
  /** The system status after an unanswered or undeliverable offer (O3, O4). */
  rona_status: StatusId,
  /** The status of a logged-out agent. */
  offline_status: StatusId,
  /** Settings per channel (O1, E2). */
  channels: ChannelTable,
  /** Wrap-up codes (V3). */
  wrap_up: WrapUpSettings,
  /** Whether the status becomes available when an outdial ends (E4). */
  available_after_outdial: boolean,
  /** How long a lost connection may stay away and keep the status (N3). */
  reconnect_grace_ms: number,
  /** What happens after the grace (N3). */
  after_grace: AfterGrace,
  /** Most participants on one interaction, customer included (F1). */
  conference_limit: number,
  /** Whether voice lines can record on demand (V7: SIP lines). */
  recording_on_demand: boolean,
  /**
   * Whether a party entering a conference may talk at once; by default
   * it stays on hold until the agent in control allows it (F3).
   */
  conferenced_parties_talk: boolean,
  /**
   * Auto-away (S11): after this long without input an agent in an
   * available status goes to [`Profile::auto_away_status`]; 0: off.
   */
  auto_away_ms: number,
  /**
   * The system status auto-away sets: Away of the automatic kind, whose
   * direct calls go to voicemail at once (S3).
   */
  auto_away_status: StatusId | null,
  /** Whether a monitored agent's view shows that it is monitored (M1). */
  monitoring_visible: boolean,
};

/** Why another party is being brought in. */
export type Purpose = "consult" | "conference";

/** A queue that holds waiting contacts. */
export type QueueId = string;

/** A queue's figures, as the supervisor's queue tiles show them. */
export type QueueStats = {
  /** The queue. */
  queue: QueueId,
  /** Contacts waiting in it. */
  waiting: number,
  /** When the contact waiting longest arrived (its wait timer). */
  oldest_since: ServerTime | null,
  /** Members logged in, connected and in a routable status. */
  available: number,
};

/** A queue tile. */
export type QueueTile = {
  /** The queue. */
  queue: QueueId,
  /** Contacts waiting. */
  waiting: number,
  /** When the contact waiting longest arrived. */
  oldest_since: ServerTime | null,
  /** How long it has waited. */
  longest_wait: string | null,
  /** Members logged in, connected and routable. */
  available: number,
};

/** The record actions enabled now, from the phase table. */
export type RecordActions = {
  /** Accept the preview (P3). */
  accept: boolean,
  /** Reject the preview (P3, W7). */
  reject: boolean,
  /** Connect: dial the active or an edited number (P4, P6). */
  dial: boolean,
  /** Back to the list (P4). */
  cancel: boolean,
  /** Hand the record to another agent (P4, P6). */
  transfer: boolean,
  /** Edit the campaign data (P4, P5). */
  edit: boolean,
  /** Add a chained record (P4-P6). */
  add_chained: boolean,
  /** Make another chained record active (P4, P6). */
  set_active: boolean,
  /** Save the record now (P4, P5). */
  update: boolean,
  /** Set a callback (W2). */
  reschedule: boolean,
  /** Cancel the callback (W3). */
  cancel_reschedule: boolean,
  /** Choose the call result (P6). */
  call_result: boolean,
  /** Mark do-not-call (P6). */
  do_not_call: boolean,
  /** Mark done, or done and stop (P7, W1). */
  done: boolean,
};

/** A record of a campaign's calling list (SPEC P2-P8, W1-W7). */
export type RecordId = number;

/**
 * Where a record is in its life. The first five are phases at an agent;
 * the others are states in the calling list.
 */
export type RecordStatus = "ready" | "previewing" | "owned" | "dialling" | "connected" | "after_call" | "scheduled" | "done" | "do_not_call" | "stale";

/**
 * A refusal as it travels and is remembered: the stable code and the message
 * of a [`CommandError`] (SPEC N1: a repeated command gets the same answer).
 */
export type Refusal = {
  /** The stable code, as [`CommandError::code`]. */
  code: ErrorCode,
  /** A sentence for people. */
  message: string,
};

/** What a user may do, as carried by its token (SPEC N5). */
export type Role = "agent" | "supervisor" | "admin";

/** Why an agent went to `rona` (SPEC O3, O4). */
export type RonaCause = "no_answer" | "device_fault" | "network_fault" | "wrong_number";

/** The two ways out of rona (O5). */
export type RonaChoice = {
  /** Why the agent is in rona. */
  cause: RonaCause | null,
  /** "Go idle": the default idle reason. */
  go_idle: StatusId,
  /** "Go available". */
  go_available: StatusId,
};

/** The roster as a desk renders it, borrowed from the [`Roster`]. */
export type Roster = {
  /** One row per followed user, in id order. */
  entries: Array<RosterEntry>,
  /** Supervisors and admins: one tile per queue. */
  queues: Array<QueueTile>,
};

/** One row of the roster (S6, S12). */
export type RosterEntry = {
  /** The user. */
  user: UserId,
  /** Whether it is this desk's own user. */
  me: boolean,
  /** The primary status. */
  status: StatusId,
  /** Its label. */
  label: string,
  /** Its colour. */
  colour: string,
  /** Since when the status is held. */
  since: ServerTime,
  /** Time in the status, while logged in (T1, T6). */
  timer: string | null,
  /** What the user is doing (S12). */
  activity: Activity | null,
  /** Whether the user is logged in. */
  logged_in: boolean,
  /** Whether a session of the user is connected. */
  connected: boolean,
  /** The location it shares (S12). */
  location: string | null,
  /** Its teams. */
  teams: Array<TeamId>,
  /** Supervisors and admins only: the secondary status (S6). */
  secondary: SecondaryId | null,
  /** Supervisors and admins only: its open interactions, oldest first. */
  interactions: Array<RosterWork>,
  /** Supervisors and admins only: the queues it serves, with skill levels. */
  queues: { [key in QueueId]: number },
  /**
   * Whether this user may ask to log it out (S9: a supervisor, for
   * another user who is logged in, available or idle, with no open
   * interaction; the server also counts campaign records it holds).
   */
  can_log_out: boolean,
};

/** A place in the roster stream: the server run and the change number. */
export type RosterPosition = {
  /** The server run the numbers belong to; another run means a snapshot. */
  epoch: number,
  /** The last change held. */
  seq: number,
};

/** The presence of a whole roster. */
export type RosterSnapshot = {
  /** The server run. */
  epoch: number,
  /** The last change it includes. */
  seq: number,
  /** One entry per user the viewer follows, in id order. */
  entries: Array<Presence>,
  /** Supervisors and admins: the figures of every queue (empty for agents). */
  queues: Array<QueueStats>,
  /**
   * Which frame of the roster this is. A roster whose entries would
   * not fit one frame comes in several, one after the other, with the
   * same epoch and seq: part 0 (left out) replaces the roster held, and
   * each later part adds its entries to it.
   */
  part?: number,
};

/** One interaction on a roster row. */
export type RosterWork = {
  /** The interaction. */
  id: InteractionId,
  /** Its channel. */
  channel: Channel,
  /** Active or wrap-up. */
  state: InteractionState,
  /** When that state began. */
  since: ServerTime,
  /** Time in that state. */
  timer: string,
  /**
   * This supervisor's monitoring of it, by its M1 state
   * (`monitoring`, `monitoring_paused`), if any.
   */
  monitoring: MonitoringState | null,
  /**
   * Whether this user may start monitoring it through the row's agent:
   * the shared rules allow it (M1) and the call is not in wrap-up (M2).
   */
  can_monitor: boolean,
};

/** A callback time set on a record (W2). */
export type Schedule = {
  /** When to call back (UTC, server milliseconds). */
  at: ServerTime,
  /** Personal or campaign callback. */
  kind: CallbackKind,
  /** The number to call then, if not the active one. */
  number: string | null,
  /** The agent of a personal callback. */
  agent: UserId | null,
};

/** A secondary status choice (S6). */
export type SecondaryDef = {
  /** Stable id used on the wire. */
  id: SecondaryId,
  /** Text shown to supervisors. */
  label: string,
};

/** A secondary status of the profile (SPEC S6). */
export type SecondaryId = string;

/** The sequence number of a server event (SPEC N2). */
export type Seq = number;

/** A message from the server to a client. */
export type ServerMessage = { "welcome": {
    /** The protocol version the server speaks. */
    protocol: number,
    /** The authenticated user. */
    user: UserId,
    /** Its role. */
    role: Role,
    /** Server time when sent. */
    server_time: ServerTime,
    /** The organisation's profile (boxed: it dwarfs every other message). */
    profile: Profile,
    /** The agent's state, unless the missed events are replayed instead. */
    snapshot: Snapshot | null,
} } | { "event": Event } | { "ack": {
    /** The command. */
    id: CommandId,
    /** Event number after applying it. */
    seq: Seq,
} } | { "nack": {
    /** The command, when the frame named one. */
    id: CommandId | null,
    /** Stable error code. */
    code: ErrorCode,
    /** A sentence for people. */
    message: string,
} } | { "pong": {
    /** The client's time from the ping. */
    client_time: number,
    /** Server time when answered. */
    server_time: ServerTime,
} } | { "error": {
    /** Stable error code. */
    code: ErrorCode,
    /** A sentence for people. */
    message: string,
} } | { "roster": RosterSnapshot } | { "presence": {
    /** The change's number in the roster stream. */
    seq: number,
    /** The presence now, as this viewer may see it. */
    entry: Presence,
} } | { "queue_stats": {
    /** Every queue's figures. */
    queues: Array<QueueStats>,
} };

/**
 * A point on the server's wall clock, in milliseconds since the Unix epoch.
 *
 * The authority is driven with this time by its host; every event carries it,
 * so replicas compute timer texts from the same timestamps (SPEC T7).
 */
export type ServerTime = number;

/** The agent's whole state at an event number. */
export type Snapshot = {
  /** The number of the last event included. */
  seq: Seq,
  /** The state. */
  state: AgentState,
};

/** The broad kind of a status; it decides timers and routing defaults. */
export type StatusCategory = "available" | "idle" | "away" | "busy" | "offline";

/** A status in the selector. */
export type StatusChoice = {
  /** The status id. */
  id: StatusId,
  /** Its label. */
  label: string,
  /** Its colour. */
  colour: string,
  /** Whether it is the current status. */
  selected: boolean,
  /** The secondary statuses it offers (S6), in the profile's order. */
  secondary: Array<SecondaryDef>,
  /** Whether choosing it needs one of them (S6). */
  secondary_required: boolean,
};

/** One entry of the status catalogue (S1). */
export type StatusDef = {
  /** Stable id used on the wire. */
  id: StatusId,
  /** Text shown to people. */
  label: string,
  /** CSS colour of the status badge. */
  colour: string,
  /** Broad kind of the status. */
  category: StatusCategory,
  /** Whether the status receives queue and campaign offers (S7). */
  routable: boolean,
  /** Direct-call handling (S3). */
  direct_calls: DirectCallPolicy,
  /** No video-chat notifications and no 1:1 video (S3). */
  blocks_video: boolean,
  /** Set only by the system, never chosen by hand (S8). */
  system_only: boolean,
  /** Kept through logout and shown as "(offline)" (S3, Out of Office). */
  survives_logout: boolean,
  /** Secondary statuses that may go with this one (S6). */
  secondary?: Array<SecondaryDef>,
  /** Whether choosing this status requires a secondary one (S6). */
  secondary_required: boolean,
  /** Whether the status means "in a meeting" for the activity indicator (S12). */
  meeting: boolean,
};

/** A status of the profile's catalogue (SPEC S1). */
export type StatusId = string;

/** The status field (S1, E1, T1-T4). */
export type StatusView = {
  /** The status id. */
  id: StatusId,
  /** Its label; "Out of Office (offline)" for a status kept through logout (S3). */
  label: string,
  /** Its colour. */
  colour: string,
  /** Its category. */
  category: StatusCategory | null,
  /** The secondary status (S6). */
  secondary: SecondaryId | null,
  /** "Engaged", "Engaged (idle)", "Engaged, RONA"... while work is open (E1). */
  engaged: string | null,
  /**
   * The state timer, `mm:ss` or `current/total` for idle to idle; none
   * while engaged (T1, T2, T3).
   */
  timer: string | null,
};

/** Whom to bring in by consult, conference or transfer (V4, V6). */
export type Target = { "agent": UserId } | { "queue": QueueId } | { "number": string };

/** A team of users: whose presence a user sees (SPEC S6, S12). */
export type TeamId = string;

/** A user (agent, supervisor or admin), as named in its token. */
export type UserId = string;

/** Everything a desk renders. */
export type View = {
  /** Whether the engine holds the server's state. */
  ready: boolean,
  /** Whether the agent is logged in. */
  logged_in: boolean,
  /** The status field. */
  status: StatusView,
  /** Statuses the agent may choose (S8: never system-only ones). */
  choices: Array<StatusChoice>,
  /** Open offers, oldest first. */
  offers: Array<OfferView>,
  /** Open interactions, oldest first. */
  interactions: Array<InteractionView>,
  /** Wrap-up codes to choose from (V3). */
  wrap_up_codes: Array<WrapUpCode>,
  /** Whether done needs a wrap-up code (V3). */
  wrap_up_required: boolean,
  /** Whether login is enabled. */
  can_login: boolean,
  /** Whether logout is enabled. */
  can_logout: boolean,
  /** Whether an outdial may be placed (E2 capacity, E4). */
  can_outdial: boolean,
  /** Whether this user may log agents out (S9: supervisors). */
  can_logout_agents: boolean,
  /** The rona choice, while in rona (O5). */
  rona: RonaChoice | null,
  /**
   * The campaign indicator flashes: a preview waits for accept or
   * reject (P2).
   */
  campaign_flashing: boolean,
  /** Campaign records at this agent (P2-P8). */
  outbound: Array<OutboundView>,
  /** The media types chosen for push preview (P1). */
  preview_media: Array<Channel>,
  /** Whether previews are stopped until "get record" (W1). */
  preview_paused: boolean,
  /** Whether "get record" is enabled (W1). */
  can_get_record: boolean,
  /**
   * Whether this user has a supervisor's rights (supervisors and
   * admins): the roster shows secondary statuses, interactions and queue
   * figures, and offers the monitoring actions (S6, S9, M1).
   */
  supervisor: boolean,
  /** Supervisors: the calls being monitored, oldest first (M1-M3). */
  monitoring: Array<MonitoringView>,
  /**
   * Milliseconds without input before an available user goes away
   * automatically; 0 when auto-away is off (S11). The package watches the
   * page's input when it is set.
   */
  auto_away_ms: number,
};

/** One interaction as a supervisor's roster shows it. */
export type WorkItem = {
  /** The interaction. */
  id: InteractionId,
  /** Its channel. */
  channel: Channel,
  /** Active or wrap-up. */
  state: InteractionState,
  /** When the current state began: the row's interaction timer. */
  since: ServerTime,
};

/** A wrap-up code (disposition) the agent may choose (V3). */
export type WrapUpCode = {
  /** Stable id used on the wire. */
  id: WrapUpCodeId,
  /** Text shown to people. */
  label: string,
};

/** A wrap-up code (disposition) of the profile (SPEC V3). */
export type WrapUpCodeId = string;

/** Wrap-up codes and whether one is required before done (V3). */
export type WrapUpSettings = {
  /** The codes to choose from. */
  codes: Array<WrapUpCode>,
  /** Whether "done" needs a code. */
  required: boolean,
};
