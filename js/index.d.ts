// Types of the Ringside browser package. The data types (the view, the
// roster, commands, wire messages, error codes) are generated from the Rust
// types into types.gen.d.ts (./scripts/gen-types); this file declares the
// API around them. Field names match the wire and the engine's view exactly
// (snake_case), so nothing is renamed in between.

import type {
  CallbackSounds, Channel, Command, ConnectionState, ErrorCode, Offer, OfferId, OfferOutcome, OutboundOutcome, OutboundView,
  RecordId, Refusal, Roster, RosterEntry, RonaCause, Target, View,
} from './types.gen.js';

export type * from './types.gen.js';

/** The callback events a desk may play a sound on (W6). */
export type CallbackSoundEvent = keyof CallbackSounds;

/** The events of a client and their payloads. */
export interface ClientEvents {
  /** The view changed (a state change, or a timer's next second). */
  view: View;
  offer: Offer;
  offer_ended: { offer: OfferId; outcome: OfferOutcome };
  /** The agent went to RONA; `notification` says how a hidden page was told. */
  rona: { cause: RonaCause; notification: 'system' | 'toast' | 'none' };
  connection: { state: ConnectionState; failures: number; code: number | null; reason: string | null };
  ack: { id: string; seq: number };
  nack: { id: string; code: ErrorCode | (string & {}); message: string };
  error: { code: ErrorCode | (string & {}); message: string };
  /** A campaign record arrived as a preview (P2, W5): a new card to announce. */
  preview: OutboundView;
  /** A campaign record left this agent (done, rejected, expired, transferred, stale...). */
  /** `outcome` (done, rejected, expired, cancelled, transferred, stale, withdrawn) is missing only for a record a snapshot showed gone. */
  record_ended: { record: RecordId; outcome?: OutboundOutcome };
  /** The roster as it shows now: after any change, and as its timers tick. */
  roster: Roster;
  /** One followed user's presence changed. */
  presence: RosterEntry;
}

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
  /** Where the engine's .wasm file is served, if not at `wasm/engine.wasm` beside this module. */
  wasmUrl?: string | URL;
  /**
   * How long a command waits for its answer before rejecting with `timeout`
   * (10 s by default); a command sent before the server's first snapshot
   * waits that long for it too, then rejects with `not_ready`.
   */
  commandTimeoutMs?: number;
  /** Makes the socket; the browser's WebSocket if omitted. */
  transport?: (url: string) => SocketLike;
  /**
   * Time in place of the page's clock for this client: the in-page
   * simulator's virtual clock (`ringside/sim`).
   */
  clock?: Clock;
  /**
   * Cancels the connection: aborted before the engine starts, `connect`
   * rejects with `closed` and no socket opens; aborted later, the client
   * closes as with `close()`.
   */
  signal?: AbortSignal;
}

/** A clock the engine reads instead of the page's, and that says when it jumps. */
export interface Clock {
  /** The time now, in milliseconds. */
  now(): number;
  /** Calls `wake` after each move of the clock; returns a function that stops it. */
  onAdvance(wake: () => void): () => void;
  /**
   * Calls `fire` once the clock reaches `at`; returns a function that
   * cancels it. The client's reconnects wait on it; without it they wait
   * on the page's clock.
   */
  timer?(at: number, fire: () => void): () => void;
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
  /** Made by `connect()`, which loads the engine first. */
  private constructor();
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
   * would be sent, else the refusal's code and message. Throws a
   * `RingsideError` (`invalid_message`) if it is no command.
   * @example client.check({ done: { interaction: card.id, code: null } })?.code // 'wrap_up_code_required' where the profile requires a code
   */
  check(command: Command): Refusal | null;
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
   * for auto-away (S11), as input in the page always does. Rejects with the
   * browser's `DOMException` if the permission prompt or the detector fails.
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
