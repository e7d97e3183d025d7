import type { CallbackSoundEvent, Client, ConnectOptions, OutboundView } from './index.js';

/**
 * `<ringside-agent url="wss://…/ws" token="…">`: a complete agent desk
 * widget, with the team's presence roster below it (supervisors also get
 * queue tiles, monitoring and log out per row); `roster="off"` leaves the
 * roster out, `wasm-url` says where the .wasm file is served. A new `url`
 * reconnects; a new `token` is handed to the engine without reconnecting.
 * After a start that failed (the module did not load), changing any of
 * `url`, `token` or `wasm-url` tries again.
 * Fires `ringside-ready` (detail: the `Client`) each time a session starts.
 * Moving it in the page keeps its session; removing it closes the session.
 */
export class RingsideAgent extends HTMLElement {
  /** The connected client; null before it connects, after `close()` and while removed. */
  client: Client | null;
  /**
   * More options for `connect()`, read each time a session starts: set it
   * before inserting the element. With the in-page simulator:
   * `element.connectOptions = { transport: sim.transport, clock: sim.clock }`.
   */
  connectOptions: Partial<ConnectOptions>;
  /**
   * Closes the session and frees the wasm engine; pending and later
   * commands of its client reject with `closed`. Inserting the element
   * again starts a new session.
   */
  close(): void;
  /**
   * Plays the sound a campaign names for a callback event (SPEC W6). The
   * default plays `new Audio(sound)`, the name taken as a URL relative to the
   * page. Assign your own to map names to files or stay silent.
   * @example element.playSound = (sound, event) => myAudio.play(`/sounds/${sound}.ogg`);
   */
  playSound(sound: string, event: CallbackSoundEvent, card: OutboundView): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'ringside-agent': RingsideAgent;
  }
  interface HTMLElementEventMap {
    'ringside-ready': CustomEvent<Client>;
  }
}
