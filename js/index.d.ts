// Types of the Ringside browser package. Field names match the wire and the
// engine's view exactly (snake_case), so nothing is renamed in between.

export type Channel = 'voice' | 'chat' | 'email' | 'social';
export type StatusCategory = 'available' | 'idle' | 'away' | 'busy' | 'offline';
export type RonaCause = 'no_answer' | 'device_fault' | 'network_fault' | 'wrong_number';
export type OfferOutcome = 'accepted' | 'declined' | 'expired' | 'undeliverable' | 'withdrawn';
export type InteractionState = 'active' | 'wrap_up';
/** How an interaction came about; `campaign` for the call of a campaign record (P5). */
export type Origin = 'inbound' | 'outdial' | 'follow_up' | 'campaign';
export type CallState =
  | 'connected' | 'on_hold' | 'consult_requested' | 'consulting' | 'consult_on_hold'
  | 'conference_requested' | 'conference' | 'customer_left';
/** Who a participant is: the customer, an agent, a dialled number, or a supervisor who barged in. */
export type Party = 'customer' | { agent: string } | { number: string } | { supervisor: string };
/** Whom to consult, conference or transfer to. */
export type Target = { agent: string } | { queue: string } | { number: string };

/** A request to join a running interaction. */
export interface JoinRequest { interaction: number; purpose: 'consult' | 'conference'; by: string; }
export type ConnectionState = 'closed' | 'connecting' | 'live' | 'waiting' | 'unauthorized';

/** The status field: label, colour, engaged overlay and state timer. */
export interface StatusView {
  id: string;
  /** "Out of Office (offline)" for a status kept through logout. */
  label: string;
  colour: string;
  category: StatusCategory | null;
  secondary: string | null;
  /** "Engaged", "Engaged (idle)", "Engaged, RONA"... while work is open. */
  engaged: string | null;
  /** `mm:ss`, `h:mm:ss`, or `current/total` after idle to idle; null while engaged. */
  timer: string | null;
}

/** A status the agent may choose. */
export interface StatusChoice { id: string; label: string; colour: string; selected: boolean; }

/** The two ways out of RONA. */
export interface RonaChoice { cause: RonaCause | null; go_idle: string; go_available: string; }

/** What every offer says: whom, on which channel, from which queue. */
export interface OfferBase {
  id: number;
  contact: number;
  channel: Channel;
  queue: string | null;
  from: string;
  /** Set when the offer asks to join a running interaction (consult, conference). */
  join: JoinRequest | null;
}

/** An offer card; `flashing` is true during the last 5 s of offers over 8 s. */
export interface OfferView extends OfferBase {
  remaining_ms: number;
  /** Time left, rounded up to the second. */
  remaining: string;
  flashing: boolean;
  can_accept: boolean;
  can_decline: boolean;
}

/** A party on an interaction card. */
export interface ParticipantView {
  id: number;
  party: Party;
  me: boolean;
  held: boolean;
  /** Agents have call controls; dialled numbers do not. */
  controls: boolean;
  /** A conferenced party: held means not allowed to talk (SPEC F3). */
  conferenced: boolean;
  /** Hold it (for a conferenced party: keep it from talking). */
  can_hold: boolean;
  /** Take it off hold (for a conferenced party: allow it to talk). */
  can_resume: boolean;
}

/** What this agent may do now on an interaction. */
export interface InteractionActions {
  end: boolean;
  done: boolean;
  hold: boolean;
  resume: boolean;
  consult: boolean;
  conference: boolean;
  transfer: boolean;
  end_consult: boolean;
  complete_transfer: boolean;
  start_conference: boolean;
  /** "Exit conference" for the agent in control; leave for the others. */
  leave: boolean;
  dtmf: boolean;
  record: boolean;
  /** Channels a follow-up interaction with the same customer may start on. */
  follow_up: Channel[];
}

/** A line of the case history. */
export interface Note { at: number; by: string; text: string; }

/** An interaction card with its participants, timers and enabled actions. */
export interface InteractionView {
  id: number;
  channel: Channel;
  origin: Origin;
  from: string;
  /** This agent's part: on the call, or in wrap-up. */
  state: InteractionState;
  call_state: CallState;
  /** Time since this agent joined. */
  connected: string;
  /** Time the customer has been on hold, while held. */
  held: string | null;
  /** Time in the answered consult, while consulting. */
  consulting: string | null;
  /** Time the consulted party has been on hold, in consult on hold. */
  consult_held: string | null;
  /** Time in wrap-up, while in wrap-up. */
  wrap_up: string | null;
  in_control: boolean;
  /** Whether this agent applies the wrap-up code. */
  owner: boolean;
  /** Whether done waits for a wrap-up code from this agent. */
  done_needs_code: boolean;
  recording: boolean;
  participants: ParticipantView[];
  history: Note[];
  /** Whether a supervisor monitors it; only where the profile shows monitoring to agents (M1). */
  monitored: boolean;
  actions: InteractionActions;
}

/** A wrap-up code of the profile. */
export interface WrapUpCode { id: string; label: string; }

/** Where a campaign record is: a phase at an agent, or a state in the calling list. */
export type RecordStatus =
  | 'ready' | 'previewing' | 'owned' | 'dialling' | 'connected' | 'after_call'
  | 'scheduled' | 'done' | 'do_not_call' | 'stale';
/** Why a record reached the agent (W5). */
export type PreviewOrigin = 'campaign' | 'callback' | 'personal_callback';
/** What a dialled campaign number did; also the call result it suggests. */
export type DialOutcome = 'answered' | 'no_answer' | 'busy' | 'wrong_number';
/** Who takes a callback: only the agent who set it, or any agent of the campaign (W2). */
export type CallbackKind = 'personal' | 'campaign';
/** How a record left an agent (the server's `outbound_ended` event). */
export type OutboundOutcome = 'done' | 'rejected' | 'expired' | 'cancelled' | 'transferred' | 'stale' | 'withdrawn';
/** The callback events a desk may play a sound on (W6). */
export type CallbackSoundEvent = 'offered' | 'held' | 'retrieved' | 'ended';

/** A sound name or URL per callback event; null stays silent (W6). */
export type CallbackSounds = Record<CallbackSoundEvent, string | null>;

/** The part of a campaign a desk needs beside a record (P6, P7, W2, W6). */
export interface CampaignBrief {
  id: string;
  name: string;
  /** The call results to choose from (P6). */
  results: string[];
  /** Whether mark done needs a call result first (P7). */
  disposition_required: boolean;
  /** Whether a record may be rescheduled before it is dialled (W2). */
  reschedule_before_dial: boolean;
  /** Participants on one of its calls, customer included (P5). */
  conference_limit: number;
  /** The custom fields of its records, in display order. */
  fields: string[];
  sounds: CallbackSounds;
}

/** A callback set on a record (W2). */
export interface Schedule {
  /** When to call back: server milliseconds since the Unix epoch (UTC). */
  at: number;
  kind: CallbackKind;
  /** The number to call then, if not the active one. */
  number: string | null;
  /** The agent of a personal callback. */
  agent: string | null;
}

/** A record of a campaign's calling list. */
export interface CallingRecord {
  id: number;
  campaign: string;
  /** The contact's name. */
  name: string;
  /** The campaign's custom fields for this contact. */
  fields: Record<string, string>;
  /** The chained records: the contact's numbers (P4, P6). */
  chain: string[];
  /** Which of `chain` is dialled on connect. */
  active: number;
  /** The phase it is in at this agent. */
  status: RecordStatus;
  /** How many times it was dialled. */
  attempts: number;
  /** The call result chosen (P6). */
  result: string | null;
  /** Its callback, if one is set (W2, W3). */
  schedule: Schedule | null;
  /** The agent it is at. */
  agent: string | null;
  /** Agents who rejected it lately (W7). */
  rejected_by: string[];
}

/** The record actions enabled now, from the phase table: enable exactly these. */
export interface RecordActions {
  /** Accept the preview (P3). */
  accept: boolean;
  /** Reject the preview (P3, W7). */
  reject: boolean;
  /** Connect: dial the active or an edited number (P4, P6). */
  dial: boolean;
  /** Back to the list, before dialling (P4). */
  cancel: boolean;
  /** Hand the record to another agent (P4, P6). */
  transfer: boolean;
  /** Edit the custom fields (P4, P5). */
  edit: boolean;
  /** Add a chained record (P4-P6). */
  add_chained: boolean;
  /** Make another chained record active (P4, P6). */
  set_active: boolean;
  /** Save the record now (P4, P5). */
  update: boolean;
  /** Set a callback (W2). */
  reschedule: boolean;
  /** Cancel the callback (W3). */
  cancel_reschedule: boolean;
  /** Choose the call result (P6). */
  call_result: boolean;
  /** Mark the contact do-not-call (P6). */
  do_not_call: boolean;
  /** Mark done, or done and stop (P7, W1). */
  done: boolean;
}

/** A campaign record card: the preview, then the record being worked. */
export interface OutboundView {
  record: CallingRecord;
  campaign: CampaignBrief;
  origin: PreviewOrigin;
  /** Whether the preview flashes: until accepted or rejected (P2). */
  flashing: boolean;
  /** While previewing: time left to accept, rounded up to the second (P3). */
  remaining: string | null;
  /** For a callback: time left before it goes stale (P8). */
  stale_in: string | null;
  /** The call, once connected: also in `view.interactions`, origin `campaign`. */
  interaction: number | null;
  /** The number dialled last. */
  dialled: string | null;
  /** What the last dial did. */
  dial_outcome: DialOutcome | null;
  /** Marked do-not-call (P6). */
  do_not_call: boolean;
  actions: RecordActions;
}

/** Everything a desk renders; recomputed from timestamps on every change. */
export interface View {
  ready: boolean;
  logged_in: boolean;
  status: StatusView;
  choices: StatusChoice[];
  offers: OfferView[];
  interactions: InteractionView[];
  wrap_up_codes: WrapUpCode[];
  wrap_up_required: boolean;
  can_login: boolean;
  can_logout: boolean;
  can_outdial: boolean;
  /** Whether this user may log agents out (supervisors). */
  can_logout_agents: boolean;
  rona: RonaChoice | null;
  /** The campaign indicator flashes: a preview waits for accept or reject (P2). */
  campaign_flashing: boolean;
  /** Campaign records at this agent, oldest first (P2-P8). */
  outbound: OutboundView[];
  /** The media types chosen for push preview (P1); empty: no previews. */
  preview_media: Channel[];
  /** Whether previews are stopped until `getRecord()` (W1). */
  preview_paused: boolean;
  /** Whether "get record" is enabled (W1). */
  can_get_record: boolean;
  /** Whether this user has a supervisor's rights (supervisors and admins). */
  supervisor: boolean;
  /** Supervisors: the calls being monitored, oldest first (M1-M3). */
  monitoring: MonitoringView[];
  /** Milliseconds without input before auto-away; 0 when off (S11). */
  auto_away_ms: number;
}

/** A monitoring's state (SPEC M1). */
export type MonitoringState = 'monitoring' | 'monitoring_paused';
/** How the supervisor is on the call: listening unheard, or joined and talking. */
export type MonitorMode = 'silent' | 'barge_in';

/** A call a supervisor monitors, with the actions the rules allow now. */
export interface MonitoringView {
  interaction: number;
  /** The agents it goes through (M3). */
  agents: string[];
  channel: Channel;
  from: string;
  mode: MonitorMode;
  state: MonitoringState;
  /** Time since it started. */
  timer: string;
  actions: { pause: boolean; resume: boolean; barge_in: boolean; stop: boolean };
}

/** What a user is doing, shown under its presence (S12). */
export type Activity = 'on_call' | 'in_interaction' | 'in_meeting';

/** One interaction on a roster row (supervisors and admins). */
export interface RosterWork {
  id: number;
  channel: Channel;
  state: InteractionState;
  /** When that state began: server milliseconds since the Unix epoch. */
  since: number;
  /** Time in that state, `mm:ss`. */
  timer: string;
  /** This supervisor's monitoring of it, if any. */
  monitoring: MonitoringState | null;
  /** Whether `monitor(id, entry.user)` is enabled: the rules allow it and the call is not in wrap-up (M1, M2). */
  can_monitor: boolean;
}

/** One user on the roster (S6, S12). Agents never get another user's secondary, interactions or queues. */
export interface RosterEntry {
  user: string;
  /** Whether it is this desk's own user. */
  me: boolean;
  status: string;
  /** "Out of Office (offline)" for a status kept through logout. */
  label: string;
  colour: string;
  /** When the status began: server milliseconds since the Unix epoch. */
  since: number;
  /** Time in the status while logged in, `mm:ss` or `h:mm:ss`. */
  timer: string | null;
  activity: Activity | null;
  logged_in: boolean;
  connected: boolean;
  /** The location the user shares, if any. */
  location: string | null;
  teams: string[];
  /** Supervisors and admins only (S6). */
  secondary: string | null;
  /** Supervisors and admins only: open interactions, oldest first. */
  interactions: RosterWork[];
  /** Supervisors and admins only: queues served, with skill levels. */
  queues: Record<string, number>;
  /** Whether `logoutAgent(user)` may be tried (S9: the server judges the rest). */
  can_log_out: boolean;
}

/** A queue tile (supervisors and admins). */
export interface QueueTile {
  queue: string;
  waiting: number;
  /** When the contact waiting longest arrived: server milliseconds. */
  oldest_since: number | null;
  /** How long it has waited, while something waits. */
  longest_wait: string | null;
  /** Members logged in, connected and routable. */
  available: number;
}

/** The presence roster: one entry per followed user in id order, and the queue tiles. */
export interface Roster {
  entries: RosterEntry[];
  queues: QueueTile[];
}

/** A routed offer as it arrived. */
export interface Offer extends OfferBase {
  /** Server times, in milliseconds since the Unix epoch. */
  offered_at: number;
  deadline: number;
}

/** The events of a client and their payloads. */
export interface ClientEvents {
  /** The view changed (a state change, or a timer's next second). */
  view: View;
  offer: Offer;
  offer_ended: { offer: number; outcome: OfferOutcome };
  /** The agent went to RONA; `notification` says how a hidden page was told. */
  rona: { cause: RonaCause; notification: 'system' | 'toast' | 'none' };
  connection: { state: ConnectionState; failures: number; code: number | null; reason: string | null };
  ack: { id: string; seq: number };
  nack: { id: string; code: string; message: string };
  error: { code: string; message: string };
  /** A campaign record arrived as a preview (P2, W5): a new card to announce. */
  preview: OutboundView;
  /** A campaign record left this agent (done, rejected, expired, transferred, stale...). */
  record_ended: { record: number };
  /** The roster as it shows now: after any change, and as its timers tick. */
  roster: Roster;
  /** One followed user's presence changed. */
  presence: RosterEntry;
}

/** Every command the server takes, as `check()` and the wire spell it. */
export type Command =
  | 'login' | 'logout' | 'get_record' | 'present'
  | { set_status: { status: string; secondary?: string | null } }
  | { accept: { offer: number } }
  | { decline: { offer: number } }
  | { end: { interaction: number } }
  | { done: { interaction: number; code?: string | null } }
  | { outdial: { number: string } }
  | { logout_agent: { agent: string } }
  | { hold: { interaction: number; participant?: number | null } }
  | { resume: { interaction: number; participant?: number | null } }
  | { consult: { interaction: number; target: Target } }
  | { conference: { interaction: number; target: Target } }
  | { transfer: { interaction: number; target: Target } }
  | { end_consult: { interaction: number } }
  | { complete_transfer: { interaction: number } }
  | { start_conference: { interaction: number } }
  | { leave: { interaction: number } }
  | { dtmf: { interaction: number; digits: string } }
  | { record: { interaction: number } }
  | { follow_up: { interaction: number; channel: Channel } }
  | { preview_media: { media: Channel[] } }
  | { accept_preview: { record: number } }
  | { reject_preview: { record: number } }
  | { dial: { record: number; number?: string | null } }
  | { cancel_record: { record: number } }
  | { transfer_record: { record: number; agent: string } }
  | { edit_record: { record: number; fields: Record<string, string> } }
  | { add_chained: { record: number; number: string } }
  | { set_active: { record: number; index: number } }
  | { update_record: { record: number } }
  | { reschedule: { record: number; at: number; number?: string | null; personal?: boolean } }
  | { cancel_reschedule: { record: number } }
  | { call_result: { record: number; result: string } }
  | { do_not_call: { record: number } }
  | { mark_done: { record: number; stop?: boolean } }
  | { set_location: { text: string | null; shared?: boolean } }
  | { set_favourites: { users: string[] } }
  | { monitor: { interaction: number; agent: string } }
  | { pause_monitoring: { interaction: number } }
  | { resume_monitoring: { interaction: number } }
  | { barge_in: { interaction: number } }
  | { stop_monitoring: { interaction: number } };

/** The stable codes of refusals (server or local rules) and of this package's own failures. */
export type ErrorCode =
  | 'not_logged_in' | 'already_logged_in' | 'unknown_status' | 'status_system_only' | 'secondary_required'
  | 'unknown_secondary' | 'unknown_offer' | 'offer_expired' | 'unknown_interaction' | 'invalid_transition'
  | 'wrap_up_code_required' | 'unknown_wrap_up_code' | 'interactions_in_progress' | 'no_capacity' | 'forbidden'
  | 'unknown_agent' | 'logout_not_allowed' | 'unknown_queue' | 'unknown_contact' | 'not_ready'
  | 'unknown_participant' | 'not_in_control' | 'not_on_this_channel' | 'conference_full' | 'not_recordable'
  | 'not_wrap_up_owner' | 'target_unavailable' | 'history_full' | 'bad_argument'
  /** No such campaign record is at this agent. */
  | 'unknown_record'
  /** The callback went stale; no request on it is accepted (P8). */
  | 'record_stale'
  /** The preview's accept time has passed (P3). */
  | 'preview_expired'
  /** The campaign requires a call result before mark done (P7). */
  | 'call_result_required'
  /** The call result is not in the campaign's list (P6). */
  | 'unknown_call_result'
  /** The callback time has passed: correct or cancel it before mark done (W4). */
  | 'reschedule_in_past'
  /** The campaign does not allow rescheduling before the call (W2). */
  | 'reschedule_not_allowed'
  /** No new monitoring or barge-in on a call in wrap-up (M2). */
  | 'call_in_wrap_up'
  /** This supervisor does not monitor that call. */
  | 'not_monitoring'
  /** At most 4 monitorings per supervisor and 4 monitors per call. */
  | 'monitoring_full'
  | 'invalid_message' | 'timeout' | 'closed' | 'not_in_rona' | 'busy' | 'rate_limited';

/** An `Error` with a stable code: every rejection and throw of this package. */
export interface RingsideError extends Error { code: ErrorCode | (string & {}); }

/** An object with the WebSocket interface, for a pluggable transport. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close', listener: (event: any) => void): void;
  removeEventListener(type: 'open' | 'message' | 'close', listener: (event: any) => void): void;
}

export interface ConnectOptions {
  /** The server's WebSocket address, e.g. `wss://desk.example.com/ws`. */
  url: string;
  /** A signed token from your backend. */
  token: string;
  /** Where the .wasm file is served, if not beside this module. */
  wasmUrl?: string | URL;
  /** How long a command waits for its answer before rejecting with `timeout`. */
  commandTimeoutMs?: number;
  /** Makes the socket; the browser's WebSocket if omitted. */
  transport?: (url: string) => SocketLike;
  /**
   * Cancels the connection: aborted before the engine starts, `connect`
   * rejects with `closed` and no socket opens; aborted later, the client
   * closes as with `close()`.
   */
  signal?: AbortSignal;
}

export interface LoginOptions {
  /** The media types push previews come on (P1); omitted: login alone. */
  previewMedia?: Channel[];
}

export interface RescheduleOptions {
  /** When to call back: a Date, or milliseconds since the Unix epoch (UTC). */
  at: Date | number;
  /** Another number to call then; the active one if omitted. */
  number?: string | null;
  /** A personal callback (this agent) rather than one for any agent of the campaign. */
  personal?: boolean;
}

/** A connected desk. Every command resolves on ack and rejects with a `RingsideError`. */
export class Client {
  /** The latest view. */
  readonly view: View;
  /** The connection state. */
  readonly connection: ConnectionState;
  /** The presence roster; empty until `subscribeRoster()`. */
  readonly roster: Roster;
  /**
   * Listens to an event; returns a function that stops listening.
   * @example const stop = client.on('offer', (offer) => console.log(offer.from));
   */
  on<K extends keyof ClientEvents>(type: K, listener: (payload: ClientEvents[K]) => void): () => void;
  /**
   * Logs in; with `previewMedia`, chooses the push-preview media right after
   * (P1) and settles with that second command.
   * @example await client.login();
   * @example await client.login({ previewMedia: ['voice'] });
   */
  login(options?: LoginOptions): Promise<{ id: string; seq: number }>;
  /** @example await client.logout(); */
  logout(): Promise<{ id: string; seq: number }>;
  /** @example await client.setStatus('lunch'); */
  setStatus(status: string, secondary?: string | null): Promise<{ id: string; seq: number }>;
  /** @example if (client.view.rona) await client.goIdle(); */
  goIdle(): Promise<{ id: string; seq: number }>;
  /** @example if (client.view.rona) await client.goAvailable(); */
  goAvailable(): Promise<{ id: string; seq: number }>;
  /** @example await client.accept(client.view.offers[0].id); */
  accept(offer: number): Promise<{ id: string; seq: number }>;
  /** @example await client.decline(offer.id); */
  decline(offer: number): Promise<{ id: string; seq: number }>;
  /** @example await client.end(client.view.interactions[0].id); */
  end(interaction: number): Promise<{ id: string; seq: number }>;
  /**
   * Judges a command as sending it would, without sending: `null` if it
   * would be sent, else the refusal's code and message.
   * @example client.check({ done: { interaction: card.id, code: null } })?.code // 'wrap_up_code_required'
   */
  check(command: Command | string | object): { code: ErrorCode | (string & {}); message: string } | null;
  /** @example await client.done(interaction.id, 'resolved'); */
  done(interaction: number, code?: string | null): Promise<{ id: string; seq: number }>;
  /** @example await client.outdial('+46 8 555 0100'); */
  outdial(number: string): Promise<{ id: string; seq: number }>;
  /** Supervisors only. @example await client.logoutAgent('ana'); */
  logoutAgent(agent: string): Promise<{ id: string; seq: number }>;
  /** @example await client.hold(call.id); // the customer */
  hold(interaction: number, participant?: number | null): Promise<{ id: string; seq: number }>;
  /** @example await client.resume(call.id); */
  resume(interaction: number, participant?: number | null): Promise<{ id: string; seq: number }>;
  /** @example await client.consult(call.id, { agent: 'ben' }); */
  consult(interaction: number, target: Target): Promise<{ id: string; seq: number }>;
  /** @example await client.conference(call.id, { number: '+46 8 555 0100' }); */
  conference(interaction: number, target: Target): Promise<{ id: string; seq: number }>;
  /** @example await client.transfer(call.id, { queue: 'sales' }); */
  transfer(interaction: number, target: Target): Promise<{ id: string; seq: number }>;
  /** @example await client.endConsult(call.id); */
  endConsult(interaction: number): Promise<{ id: string; seq: number }>;
  /** @example await client.completeTransfer(call.id); */
  completeTransfer(interaction: number): Promise<{ id: string; seq: number }>;
  /** @example await client.startConference(call.id); */
  startConference(interaction: number): Promise<{ id: string; seq: number }>;
  /** @example await client.leave(call.id); // "exit conference" when in control */
  leave(interaction: number): Promise<{ id: string; seq: number }>;
  /** @example await client.dtmf(call.id, '1234#'); */
  dtmf(interaction: number, digits: string): Promise<{ id: string; seq: number }>;
  /** @example await client.record(call.id); */
  record(interaction: number): Promise<{ id: string; seq: number }>;
  /** @example await client.followUp(call.id, 'email'); */
  followUp(interaction: number, channel: Channel): Promise<{ id: string; seq: number }>;
  /** Push-preview media (P1); an empty list stops previews. @example await client.choosePreviewMedia(['voice']); */
  choosePreviewMedia(media: Channel[]): Promise<{ id: string; seq: number }>;
  /** The next preview after "done and stop" (W1). @example if (client.view.can_get_record) await client.getRecord(); */
  getRecord(): Promise<{ id: string; seq: number }>;
  /** Takes ownership of a preview (P3). @example await client.acceptPreview(client.view.outbound[0].record.id); */
  acceptPreview(record: number): Promise<{ id: string; seq: number }>;
  /** Back to the top of the list; a callback to another agent (P3, W7). @example await client.rejectPreview(record.id); */
  rejectPreview(record: number): Promise<{ id: string; seq: number }>;
  /** Connect: the active number, or an edited one (P4). @example await client.dial(record.id, '0' + record.chain[record.active]); */
  dial(record: number, number?: string | null): Promise<{ id: string; seq: number }>;
  /** Before dialling: back to the list (P4). @example await client.cancelRecord(record.id); */
  cancelRecord(record: number): Promise<{ id: string; seq: number }>;
  /** Hands the record to another agent (P4, P6). @example await client.transferRecord(record.id, 'ben'); */
  transferRecord(record: number, agent: string): Promise<{ id: string; seq: number }>;
  /** Changes custom fields (P4, P5). @example await client.editRecord(record.id, { plan: 'gold' }); */
  editRecord(record: number, fields: Record<string, string>): Promise<{ id: string; seq: number }>;
  /** Adds another number of the contact (P4-P6). @example await client.addChained(record.id, '+46 70 555 0101'); */
  addChained(record: number, number: string): Promise<{ id: string; seq: number }>;
  /** Makes a chained record active, by position from 0 (P4, P6). @example await client.setActive(record.id, 1); */
  setActive(record: number, index: number): Promise<{ id: string; seq: number }>;
  /** Saves the record now (P4, P5). @example await client.updateRecord(record.id); */
  updateRecord(record: number): Promise<{ id: string; seq: number }>;
  /**
   * Sets a callback (W2); `at` is a Date or UTC milliseconds.
   * @example await client.reschedule(record.id, { at: new Date('2030-05-01T09:30'), personal: true });
   */
  reschedule(record: number, options: RescheduleOptions): Promise<{ id: string; seq: number }>;
  /** Cancels the callback (W3). @example await client.cancelReschedule(record.id); */
  cancelReschedule(record: number): Promise<{ id: string; seq: number }>;
  /** Chooses the call result (P6). @example await client.callResult(record.id, card.campaign.results[0]); */
  callResult(record: number, result: string): Promise<{ id: string; seq: number }>;
  /** Off every campaign's calling list (P6). @example await client.doNotCall(record.id); */
  doNotCall(record: number): Promise<{ id: string; seq: number }>;
  /** Done; with `stop`, no next preview until getRecord() (P7, W1). @example await client.markDone(record.id, { stop: true }); */
  markDone(record: number, options?: { stop?: boolean }): Promise<{ id: string; seq: number }>;
  /**
   * Follows the presence of the user's teams and favourites (S6, S12);
   * `roster` and `presence` events follow, and it resumes after reconnects.
   * @example client.subscribeRoster(); client.on('roster', ({ entries }) => renderTeam(entries));
   */
  subscribeRoster(): void;
  /** Stops following the roster. @example client.unsubscribeRoster(); */
  unsubscribeRoster(): void;
  /** A location others see only if shared; null clears it (S12). @example await client.setLocation('Floor 3', { shared: true }); */
  setLocation(text: string | null, options?: { shared?: boolean }): Promise<{ id: string; seq: number }>;
  /** Users followed besides the teams (S12). @example await client.setFavourites(['ben']); */
  setFavourites(users: string[]): Promise<{ id: string; seq: number }>;
  /** Supervisors: silent monitoring through an agent on the call (M1, M2). @example await client.monitor(work.id, entry.user); */
  monitor(interaction: number, agent: string): Promise<{ id: string; seq: number }>;
  /** Supervisors (M1). @example await client.pauseMonitoring(m.interaction); */
  pauseMonitoring(interaction: number): Promise<{ id: string; seq: number }>;
  /** Supervisors (M1). @example await client.resumeMonitoring(m.interaction); */
  resumeMonitoring(interaction: number): Promise<{ id: string; seq: number }>;
  /** Supervisors: join the call and talk; takes a seat of the conference limit (M1, F1). @example await client.bargeIn(m.interaction); */
  bargeIn(interaction: number): Promise<{ id: string; seq: number }>;
  /** Supervisors: stop and leave the call. @example await client.stopMonitoring(m.interaction); */
  stopMonitoring(interaction: number): Promise<{ id: string; seq: number }>;
  /**
   * Asks for the Idle Detection permission; call it from a user gesture.
   * Once granted, activity anywhere on the device keeps the user present
   * for auto-away (S11), as input in the page always does.
   * @example button.onclick = () => client.enableIdleDetection();
   */
  enableIdleDetection(): Promise<'granted' | 'denied' | 'unsupported'>;
  /**
   * Replaces the token: a live connection stays as it is and the new token
   * is used at the next connect; a refused one reconnects at once.
   * @example client.updateToken(await fetchFreshToken());
   */
  updateToken(token: string): void;
  /**
   * Closes the connection and frees the wasm engine. Pending and later
   * commands reject with `closed`; `check()` answers `closed`.
   * @example client.close();
   */
  close(): void;
}

/**
 * Connects a desk.
 * @example
 * import { connect } from 'ringside';
 * const client = await connect({ url: 'wss://desk.example.com/ws', token });
 * client.on('view', (view) => render(view));
 * await client.login();
 * await client.setStatus('available');
 */
export function connect(options: ConnectOptions): Promise<Client>;
