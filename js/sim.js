// The in-page simulator (`ringside/sim`): the real center, compiled to wasm,
// runs in the page behind a virtual clock. Engines connect to it through
// `connect({ transport, clock })` and hear exactly what the server would
// send; the page plays the customer. Its own entry: the client never loads it.
import init, { Simulator } from './sim/sim.js';
import { failure } from './engine.js';

/** @type {Promise<unknown> | undefined} */
let loading;

/**
 * Loads the simulator's wasm module once per page; a failed load is
 * forgotten, so the next `createSimulator()` tries again.
 * @param {string | URL} [wasmUrl]
 */
function load(wasmUrl) {
  loading ??= init(wasmUrl ? { module_or_path: wasmUrl } : undefined).catch((/** @type {unknown} */ error) => {
    loading = undefined;
    throw Object.assign(failure('wasm_load_failed', `the simulator could not be loaded: ${error}`), { cause: error });
  });
  return loading;
}

/** A time the clock can show exactly: a whole, safe, non-negative number of milliseconds. @param {unknown} ms */
const isTime = (ms) => typeof ms === 'number' && ms >= 0 && ms <= Number.MAX_SAFE_INTEGER;

/**
 * A customer action's fields as the `/sim/` endpoint takes its body: an
 * object of known fields (any missing take their defaults), else
 * `bad_request`, as the server answers it.
 * @template {object} T
 * @param {T | undefined} given
 * @param {string[]} known
 * @returns {Partial<T>}
 */
function fields(given, known) {
  if (given === undefined) return {};
  if (given === null || typeof given !== 'object' || Array.isArray(given)) throw failure('bad_request', 'the fields must be an object');
  const unknown = Object.keys(given).find((key) => !known.includes(key));
  if (unknown !== undefined) throw failure('bad_request', `unknown field ${unknown}, expected one of ${known.join(', ')}`);
  return given;
}

/** Lets queued frames and the listeners they wake run. */
const settle = () => new Promise((done) => setTimeout(done, 0));

/**
 * Creates a simulated center.
 * @param {import('./sim.js').SimulatorOptions} options
 * @returns {Promise<import('./sim.js').SimulatedCenter>}
 */
export async function createSimulator(options) {
  // The center reads the rest and refuses what it does not know (bad_config).
  const { start = Date.now(), wasmUrl, ...config } = options ?? {};
  if (!isTime(start)) throw failure('bad_config', 'start must be a time in milliseconds since the epoch');
  await load(wasmUrl);
  return new SimulatedCenter(new Simulator(JSON.stringify({ agents: [], ...config }), start));
}

/**
 * One simulated socket with the WebSocket interface the engine uses. The
 * center hears its frames a microtask later, as a real socket would
 * deliver them: never while the engine that sent them is still running.
 */
class SimSocket extends EventTarget {
  readyState = 0;
  /** @type {Link} */
  #link;
  session = 0;

  /** @param {Link} link */
  constructor(link) {
    super();
    this.#link = link;
    queueMicrotask(() => link.open(this));
  }

  /** @param {string} text */
  send(text) {
    if (this.readyState !== 1) throw new DOMException('the socket is not open', 'InvalidStateError');
    const session = this.session;
    queueMicrotask(() => this.#link.receive(session, String(text)));
  }

  close(code = 1000, reason = '') {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    const session = this.session;
    queueMicrotask(() => {
      this.#link.closed(session);
      this.dispatchEvent(new CloseEvent('close', { code, reason, wasClean: true }));
    });
  }
}

/**
 * How the sockets reach the center.
 * @typedef {{ open(socket: SimSocket): void, receive(session: number, text: string): void, closed(session: number): void }} Link
 */

export class SimulatedCenter {
  /** The center; null once closed. @type {Simulator | null} */
  #sim;
  /** The virtual time when close() stopped the clock. */
  #stoppedAt = 0;
  /** @type {Map<number, SimSocket>} */
  #sockets = new Map();
  /** @type {Set<() => void>} */
  #wakers = new Set();
  /** The engines' timers on the virtual clock (their reconnects). @type {Set<{ at: number, fire: () => void }>} */
  #timers = new Set();
  #delivering = false;

  /** @param {Simulator} sim */
  constructor(sim) {
    this.#sim = sim;
    /** @type {Link} */
    const link = {
      open: (socket) => {
        if (socket.readyState !== 0) return;
        if (!this.#sim) {
          socket.readyState = 3;
          socket.dispatchEvent(new CloseEvent('close', { code: 1006, reason: 'simulator closed' }));
          return;
        }
        socket.session = this.#live.open();
        this.#sockets.set(socket.session, socket);
        socket.readyState = 1;
        socket.dispatchEvent(new Event('open'));
      },
      receive: (session, text) => {
        if (!this.#sim || !this.#sockets.has(session)) return;
        this.#live.receive(session, text);
        this.#deliver();
      },
      closed: (session) => {
        if (!this.#sockets.delete(session)) return;
        this.#live.closed(session);
        this.#deliver();
      },
    };
    /** For `connect({ transport })`: each call opens a simulated socket. */
    this.transport = () => new SimSocket(link);
    /** For `connect({ clock })`: the engines read the virtual time and recompute after each advance. */
    this.clock = {
      // Once closed, the clock stands still: a client still connected waits
      // to reconnect, and its timers read the time without failing.
      now: () => this.#sim?.now() ?? this.#stoppedAt,
      /** @param {() => void} wake */
      onAdvance: (wake) => {
        this.#wakers.add(wake);
        return () => this.#wakers.delete(wake);
      },
      /** @param {number} at @param {() => void} fire */
      timer: (at, fire) => {
        const timer = { at, fire };
        this.#timers.add(timer);
        return () => this.#timers.delete(timer);
      },
    };
  }

  /** The center, or a `closed` error once close() freed it. */
  get #live() {
    if (!this.#sim) throw failure('closed', 'the simulator is closed');
    return this.#sim;
  }

  /** The virtual time, in milliseconds since the epoch. */
  now() { return this.#live.now(); }

  /** When the center next acts by itself (an offer expires...), or null. */
  nextDeadline() { return this.#live.nextDeadline() ?? null; }

  /** Moves the virtual clock `ms` forward; see advanceTo. @param {number} ms */
  async advance(ms) {
    if (!isTime(ms)) throw failure('bad_argument', `advance() takes a number of milliseconds, not ${String(ms)}`);
    return this.advanceTo(this.now() + ms);
  }

  /**
   * Moves the virtual clock to `at`, firing each deadline on the way at its
   * own time (offer expiry and RONA, grace ends, auto-away, the engines'
   * reconnects), delivering what it sends, then has every engine recompute
   * its view at `at`. Resolves once the engines have handled it all.
   * @param {number} at
   */
  async advanceTo(at) {
    if (!isTime(at) || at < this.now()) throw failure('bad_argument', `advanceTo() takes a time from now on, not ${String(at)}`);
    await settle();
    for (let next = this.#nextEvent(); next !== undefined && next <= at; next = this.#nextEvent()) {
      this.#live.advanceTo(next);
      this.#deliver();
      for (const timer of [...this.#timers]) {
        if (timer.at > next || !this.#timers.delete(timer)) continue;
        timer.fire();
      }
      await settle();
    }
    this.#live.advanceTo(at);
    this.#deliver();
    for (const wake of [...this.#wakers]) wake();
    await settle();
  }

  /**
   * A customer contact arrives on a queue; returns its id (`POST /sim/contacts`).
   * @param {{ queue?: string, channel?: string, from?: string }} [contact]
   */
  placeContact(contact) {
    const { queue = 'support', channel = 'voice', from = '+46 8 555 0100' } = fields(contact, ['queue', 'channel', 'from']);
    return this.#customer({ enqueue_contact: { queue, channel, from } }).contact;
  }

  /** The customer hangs up (`POST /sim/contacts/{id}/hang_up`). @param {number} contact */
  hangUp(contact) { this.#customer({ customer_hang_up: { contact } }); }

  /** The offer cannot be delivered: RONA with this cause (`POST /sim/offers/{id}/undeliverable`, O4). @param {number} offer */
  undeliverable(offer, cause = 'device_fault') { this.#customer({ offer_undeliverable: { offer, cause } }); }

  /** The dialled number of a pending consult or conference answers, or declines (`POST /sim/interactions/{id}/answer`). @param {number} interaction */
  numberAnswers(interaction, answered = true) { this.#customer({ number_answers: { interaction, answered } }); }

  /** The customer or a dialled party leaves the call (`POST /sim/interactions/{id}/participants/{p}/hang_up`). @param {number} interaction @param {number} participant */
  partyHangsUp(interaction, participant) { this.#customer({ party_hangs_up: { interaction, participant } }); }

  /** The number dialled for a campaign record answers, rings out, is busy or wrong (`POST /sim/records/{id}/answer`). @param {number} record */
  dialAnswers(record, outcome = 'answered') { this.#customer({ dial_answers: { record, outcome } }); }

  /** Queues with their contacts, agents and the next deadline (`GET /sim/state`). */
  state() { return JSON.parse(this.#live.state()); }

  /**
   * Drops every socket of `user` as a network failure would (1006); its
   * engines reconnect after their backoff on the virtual clock (the first
   * time within 500 ms: `advance(500)`) and resume.
   * @param {string} user
   */
  dropConnections(user) {
    if (typeof user !== 'string') throw failure('bad_argument', 'dropConnections() takes a user id');
    this.#live.dropConnections(user);
    this.#deliver();
  }

  /** The earliest of the center's next deadline and the engines' timers. */
  #nextEvent() {
    let next = this.#live.nextDeadline();
    for (const { at } of this.#timers) if (next === undefined || at < next) next = at;
    return next;
  }

  /**
   * Closes every socket and frees the simulator's memory; later calls
   * throw `closed`. Close its clients first: a client whose socket closed
   * waits to reconnect on the virtual clock, which no longer moves.
   */
  close() {
    if (!this.#sim) return;
    for (const socket of this.#sockets.values()) {
      socket.readyState = 3;
      socket.dispatchEvent(new CloseEvent('close', { code: 1001, reason: 'simulator closed', wasClean: true }));
    }
    this.#sockets.clear();
    this.#wakers.clear();
    this.#timers.clear();
    this.#stoppedAt = this.#sim.now();
    this.#sim.free();
    this.#sim = null;
  }

  /** Runs a customer's action, as the `/sim/` endpoints take it. @param {object} action */
  #customer(action) {
    const center = this.#live;
    let body;
    try {
      body = JSON.stringify(action);
    } catch {
      throw failure('bad_request', 'an argument cannot be sent as JSON');
    }
    const reply = JSON.parse(center.customer(body));
    this.#deliver();
    return reply;
  }

  /**
   * Hands each queued frame to its socket, in order. A listener that acts
   * on the center while frames are handed out adds to the queue this loop
   * drains, so no frame overtakes an earlier one.
   */
  #deliver() {
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let batch = JSON.parse(this.#live.deliveries()); batch.length; batch = JSON.parse(this.#live.deliveries())) {
        for (const { session, text, close } of batch) {
          const socket = this.#sockets.get(session);
          if (!socket) continue;
          if (text !== undefined) {
            socket.dispatchEvent(new MessageEvent('message', { data: text }));
          } else {
            this.#sockets.delete(session);
            socket.readyState = 3;
            socket.dispatchEvent(new CloseEvent('close', { code: close[0], reason: close[1], wasClean: false }));
          }
        }
      }
    } finally {
      this.#delivering = false;
    }
  }
}
