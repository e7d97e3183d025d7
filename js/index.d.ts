// Types of the Ringside browser package. Field names match the wire and the
// engine's view exactly (snake_case), so nothing is renamed in between.

export type Channel = 'voice' | 'chat' | 'email' | 'social';
export type StatusCategory = 'available' | 'idle' | 'away' | 'busy' | 'offline';
export type RonaCause = 'no_answer' | 'device_fault' | 'network_fault' | 'wrong_number';
export type OfferOutcome = 'accepted' | 'declined' | 'expired' | 'undeliverable' | 'withdrawn';
export type InteractionState = 'active' | 'wrap_up';
export type Origin = 'inbound' | 'outdial';
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

/** An offer card; `flashing` is true during the last 5 s of offers over 8 s. */
export interface OfferView {
  id: number;
  contact: number;
  channel: Channel;
  queue: string;
  from: string;
  remaining_ms: number;
  /** Time left, rounded up to the second. */
  remaining: string;
  flashing: boolean;
  can_accept: boolean;
  can_decline: boolean;
}

/** An interaction card with its timers and enabled actions. */
export interface InteractionView {
  id: number;
  channel: Channel;
  origin: Origin;
  from: string;
  state: InteractionState;
  /** Time since accept. */
  connected: string;
  /** Time in wrap-up, while in wrap-up. */
  wrap_up: string | null;
  can_end: boolean;
  can_done: boolean;
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
  rona: RonaChoice | null;
}

/** A routed offer as it arrived. */
export interface Offer {
  id: number;
  contact: number;
  channel: Channel;
  queue: string;
  from: string;
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
  /** @example await client.done(interaction.id, 'resolved'); */
  done(interaction: number, code?: string | null): Promise<{ id: string; seq: number }>;
  /** @example await client.outdial('+46 8 555 0100'); */
  outdial(number: string): Promise<{ id: string; seq: number }>;
  /** Supervisors only. @example await client.logoutAgent('ana'); */
  logoutAgent(agent: string): Promise<{ id: string; seq: number }>;
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
