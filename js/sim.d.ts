// Types of `ringside/sim`, the in-page simulator.
import type { Clock, SocketLike } from './index.js';

/** A user who may connect: an agent's id, or an id with a role. The id is also its token. */
export type SimUser = string | { id: string; role: 'agent' | 'supervisor' | 'admin' };

export interface SimulatorOptions {
  /**
   * The profile as the server's `[profile]` table takes it: a preset and
   * overrides, e.g. `{ preset: 'contact_center', channels: { voice: { offer_timeout_ms: 18000 } } }`.
   */
  profile?: Record<string, unknown>;
  /** The queues contacts can be placed on; `['support']` if omitted. */
  queues?: string[];
  /** The users who may connect; none if omitted. */
  agents?: SimUser[];
  /**
   * Teams, queue memberships and favourites, as the server's `[directory]`
   * table takes them, e.g. `{ teams: { floor: { label: 'Floor' } }, members: { ana: { teams: ['floor'] } } }`:
   * whom a queue's contacts are offered to, and whose presence each user's
   * roster follows. None if omitted: every agent serves every queue, a user
   * follows only itself, an admin everyone.
   */
  directory?: Record<string, unknown>;
  /** Where the virtual clock starts, in milliseconds since the epoch; now if omitted. */
  start?: number;
  /** Where the simulator's .wasm file is served, if not in `sim/` beside this module. */
  wasmUrl?: string | URL;
}

/** Queues with their waiting contacts, agents and the next deadline, as `GET /sim/state`. */
export interface SimState {
  server_time: number;
  /** Each queue's line, first in line first: a contact offered or with an agent is in that agent's state. */
  queues: Record<string, { contact: number; place: 'waiting' }[]>;
  agents: Record<string, unknown>[];
  next_deadline: number | null;
}

/** The real center in the page. Every refused action throws a `RingsideError` with the center's code. */
export class SimulatedCenter {
  /** Made by `createSimulator()`, which loads the simulator's module first. */
  private constructor();
  /** For `connect({ transport })`: opens a simulated socket to this center. */
  readonly transport: (url: string) => SocketLike;
  /** For `connect({ clock })`: the virtual clock the engines read. */
  readonly clock: Clock;
  /** The virtual time, in milliseconds since the epoch. */
  now(): number;
  /** When the center next acts by itself, or null. */
  nextDeadline(): number | null;
  /** Moves the virtual clock forward, firing each deadline at its time; resolves once the engines handled it. */
  advance(ms: number): Promise<void>;
  /** Moves the virtual clock to a time, as advance. */
  advanceTo(at: number): Promise<void>;
  /** A customer contact arrives; returns its id. */
  placeContact(contact?: { queue?: string; channel?: 'voice' | 'chat' | 'email' | 'social'; from?: string }): number;
  /** The customer hangs up. */
  hangUp(contact: number): void;
  /** The offer cannot be delivered (SPEC O4). */
  undeliverable(offer: number, cause?: 'device_fault' | 'network_fault' | 'wrong_number'): void;
  /** The dialled number of a pending consult or conference answers (or declines). */
  numberAnswers(interaction: number, answered?: boolean): void;
  /** The customer or a dialled party leaves the call. */
  partyHangsUp(interaction: number, participant: number): void;
  /** The number dialled for a campaign record answers, rings out, is busy or wrong. */
  dialAnswers(record: number, outcome?: 'answered' | 'no_answer' | 'busy' | 'wrong_number'): void;
  /** Queues, agents and the next deadline. */
  state(): SimState;
  /** Drops every socket of a user as a network failure would; its engines reconnect after their backoff on the virtual clock (the first time within 500 ms) and resume. */
  dropConnections(user: string): void;
  /** Closes every socket and frees the simulator; later calls throw `closed`. Close its clients first. */
  close(): void;
}

/** Creates a simulated center; load it once per test page. */
export function createSimulator(options: SimulatorOptions): Promise<SimulatedCenter>;
