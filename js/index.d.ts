// Types of the Ringside browser package. Field names match the wire and the
// engine's view exactly (snake_case), so nothing is renamed in between.

export type Channel = 'voice' | 'chat' | 'email' | 'social';
export type StatusCategory = 'available' | 'idle' | 'away' | 'busy' | 'offline';
export type RonaCause = 'no_answer' | 'device_fault' | 'network_fault' | 'wrong_number';
export type OfferOutcome = 'accepted' | 'declined' | 'expired' | 'undeliverable' | 'withdrawn';
export type InteractionState = 'active' | 'wrap_up';
export type Origin = 'inbound' | 'outdial' | 'follow_up';
export type CallState =
  | 'connected' | 'on_hold' | 'consult_requested' | 'consulting' | 'consult_on_hold'
  | 'conference_requested' | 'conference' | 'customer_left';
/** Who a participant is: the customer, an agent, or a dialled number. */
export type Party = 'customer' | { agent: string } | { number: string };
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
  actions: InteractionActions;
}

/** A wrap-up code of the profile. */
export interface WrapUpCode { id: string; label: string; }

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
}

/** An `Error` with a stable code: every rejection and throw of this package. */
export interface RingsideError extends Error { code: string; }

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
}

/** A connected desk. Every command resolves on ack and rejects with a `RingsideError`. */
export class Client {
  /** The latest view. */
  readonly view: View;
  /** The connection state. */
  readonly connection: ConnectionState;
  /**
   * Listens to an event; returns a function that stops listening.
   * @example const stop = client.on('offer', (offer) => console.log(offer.from));
   */
  on<K extends keyof ClientEvents>(type: K, listener: (payload: ClientEvents[K]) => void): () => void;
  /** @example await client.login(); */
  login(): Promise<{ id: string; seq: number }>;
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
  check(command: string | object): { code: string; message: string } | null;
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
  /** @example client.updateToken(await fetchFreshToken()); */
  updateToken(token: string): void;
  /** @example client.close(); */
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
