// The idiomatic face of the Ringside engine: events, promises, types.
// The wasm engine decides (the state, when to connect, retry, ping and
// wake); this file does the I/O it asks for (the socket, the timers, the
// RONA notification), turns its events into listeners and its command ids
// into promises, and tells the server the user is at the page for
// auto-away (SPEC S11).
import { load as instantiate, Engine, failure } from './engine.js';

/**
 * @import { Client as ClientApi, ClientEvents, ConnectOptions, SocketLike } from './index.js'
 * @import { Command, ErrorCode, View } from './types.gen.js'
 */

/**
 * Input that shows the user is at the page (S11); and `focus` of the window
 * itself (the user came back to the tab), never of a control, which a page
 * may move by script.
 */
const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'focus'];
/** The Idle Detection API's smallest threshold, in milliseconds. */
const IDLE_THRESHOLD_MS = 60_000;

/** @type {Promise<unknown> | undefined} */
let loading;

/**
 * Loads the wasm module once per page; a failed load (offline, a CDN error)
 * is forgotten, so the next `connect()` tries again.
 * @param {string | URL | undefined} wasmUrl
 */
function load(wasmUrl) {
  loading ??= instantiate(wasmUrl).catch((/** @type {unknown} */ error) => {
    loading = undefined;
    throw Object.assign(failure('wasm_load_failed', `the engine could not be loaded: ${error}`), { cause: error });
  });
  return loading;
}

/** How far the wall clock may run ahead of the page's own between two timers before it counts as a sleep (a clock set by hand counts too, at the cost of a ping). */
const SLEEP_JUMP_MS = 2_000;

/** The longest delay `setTimeout` keeps (a longer one fires at once). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * SPEC O6: when the page is not the visible, focused tab, RONA raises a
 * system notification where granted, otherwise the page shows a toast.
 * @returns {'system' | 'toast' | 'none'}
 */
function notifyRona() {
  if (typeof document === 'undefined' || (!document.hidden && document.hasFocus())) return 'none';
  if (typeof Notification === 'function' && Notification.permission === 'granted') {
    try {
      new Notification('RONA', { body: 'An offer was not answered. Choose Go idle or Go available.', tag: 'ringside-rona' });
      return 'system';
    } catch {
      // A page may not construct notifications (a service worker must): a toast instead.
    }
  }
  return 'toast';
}

/** The refusal of anything asked of a closed client. */
const closed = () => failure('closed', 'the client is closed');

/**
 * The socket URL for a token: one that names a center (its `center` claim)
 * asks for that center (`?center=NAME`), since a cluster node may serve
 * several; the server still checks the token. A URL that names a center
 * already is kept.
 * @param {string} url
 * @param {string} token
 */
function urlForCenter(url, token) {
  let center;
  try {
    const payload = (token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/');
    center = JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, '='))).center;
  } catch {
    return url;
  }
  if (typeof center !== 'string' || /[?&]center=/.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}center=${encodeURIComponent(center)}`;
}

function randomTag() {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Connects an agent desk to a Ringside server.
 * @param {ConnectOptions} options
 * @returns {Promise<ClientApi>}
 */
export async function connect(options) {
  const { url, token, wasmUrl, commandTimeoutMs = 10_000, transport, clock, signal } = options ?? {};
  if (typeof url !== 'string' || typeof token !== 'string') {
    throw failure('bad_argument', 'connect() needs a url and a token');
  }
  await load(wasmUrl);
  // Aborted while the module loaded: no engine, no socket, no session.
  if (signal?.aborted) throw failure('closed', 'connect() was aborted');
  const client = new Client(url, token, commandTimeoutMs, transport, clock);
  signal?.addEventListener('abort', () => client.close(), { once: true });
  return client;
}

/** @implements {ClientApi} */
export class Client {
  /** The wasm engine; null once closed and freed, so nothing calls into freed memory. @type {Engine | null} */
  #engine;
  /** @type {Map<string, Set<(payload: any) => void>>} */
  #listeners = new Map();
  /** Commands sent and not yet answered, by id. */
  /** @type {Map<string, { resolve: (ack: { id: string, seq: number }) => void, reject: (error: Error) => void, timer: ReturnType<typeof setTimeout> }>} */
  #pending = new Map();
  #timeoutMs;

  /** The clock given to connect(), if any. @type {ConnectOptions['clock']} */
  #clock;
  /** The time the engine reads: the given clock's, else the page's. @type {() => number} */
  #now;
  /** Stops the given clock's wake-ups. @type {(() => void) | undefined} */
  #unclock;
  /** The socket URL, naming the token's center. */
  #url;
  /** Makes the socket, if not the browser's WebSocket. @type {((url: string) => SocketLike) | undefined} */
  #transport;
  /** The open socket and its listeners, detached when it is dropped. @type {{ socket: SocketLike, listeners: Record<'open' | 'message' | 'close', (event: any) => void> } | null} */
  #socket = null;
  /** Cancels each of the engine's timers, by name (`retry`, `wake`, `ping`). @type {Map<string, () => void>} */
  #timers = new Map();
  /** Stops the page listeners of the I/O (visibility). */
  #io = new AbortController();

  /**
   * @param {string} url
   * @param {string} token
   * @param {number} timeoutMs
   * @param {((url: string) => SocketLike) | undefined} transport
   * @param {ConnectOptions['clock']} clock
   */
  constructor(url, token, timeoutMs, transport, clock) {
    this.#timeoutMs = timeoutMs;
    this.#url = urlForCenter(url, token);
    this.#transport = transport;
    const seed = crypto.getRandomValues(new Uint32Array(1))[0];
    this.#now = clock ? () => clock.now() : () => performance.now();
    this.#engine = new Engine(token, randomTag(), seed, (/** @type {string} */ type, /** @type {string} */ payload) => this.#deliver(type, payload), this.#now);
    this.#clock = clock;
    // A virtual clock jumps: the view is recomputed after each move.
    this.#unclock = clock?.onAdvance(() => this.#engine?.fire('wake'));
    // SPEC T7: a tab back from the background may have slept through many
    // wakes; the view is recomputed at once. Shown again (the device may
    // have slept), it measures the clock and tests the socket now, and a
    // lost connection tries again without waiting out its backoff.
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', () => {
        this.#engine?.fire('wake');
        if (document.visibilityState === 'visible') this.#recheck();
      }, { signal: this.#io.signal });
    }
    /** The latest render-ready view. @type {View} */
    this.view = JSON.parse(this.#engine.view());
    /** The connection state: closed, connecting, live, waiting, unauthorized or incompatible (terminal). @type {ClientApi['connection']} */
    this.connection = 'connecting';
    /** The presence roster, `{ entries, queues }`: empty until subscribeRoster(). @type {ClientApi['roster']} */
    this.roster = JSON.parse(this.#engine.roster());
    this.#engine.connect();
  }

  /** Listens to an event; returns a function that stops listening. @type {ClientApi['on']} */
  on(type, listener) {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * What the engine delivers: the I/O it asks for, or an event for the page.
   * @param {string} type
   * @param {string} payload
   */
  #deliver(type, payload) {
    switch (type) {
      case 'socket_open': return this.#open();
      case 'socket_send': return this.#sendFrame(payload);
      case 'socket_close': return this.#dropSocket();
      case 'timer_retry': case 'timer_wake': case 'timer_ping': return this.#timer(type.slice(6), payload);
    }
    const event = JSON.parse(payload);
    if (type === 'rona') event.notification = notifyRona();
    this.#dispatch(type, event);
  }

  /**
   * Sets the engine's timer `name` to run out after `delay` ms (a decimal
   * string), replacing the one set before; an empty delay only cancels.
   * @param {string} name
   * @param {string} delay
   */
  #timer(name, delay) {
    this.#timers.get(name)?.();
    this.#timers.delete(name);
    if (delay === '') return;
    const fire = () => {
      this.#sleepCheck();
      this.#engine?.fire(name);
    };
    const clock = this.#clock;
    // A reconnect waits on a virtual clock that can set timers, so a test
    // decides when it happens. The view's wake-ups follow the clock's moves
    // already, and pings need no particular time.
    if (name === 'retry' && clock?.timer) {
      this.#timers.set(name, clock.timer(clock.now() + Number(delay), fire));
      return;
    }
    const handle = setTimeout(fire, Math.min(Number(delay), MAX_TIMER_MS));
    this.#timers.set(name, () => clearTimeout(handle));
  }

  /** The wall clock ahead of the page's monotonic one, at the last timer. */
  #drift = Date.now() - performance.now();

  /**
   * The page's monotonic clock stands still while the device sleeps, the
   * wall clock does not: a jump between them at a timer or a frame means
   * the device slept, whether or not the page was hidden and shown again.
   */
  #sleepCheck() {
    const drift = Date.now() - performance.now();
    const slept = drift - this.#drift > SLEEP_JUMP_MS;
    this.#drift = drift;
    if (slept) this.#recheck();
  }

  /** After a sleep or a return to the page: measure the clock and test the socket now, and retry a lost connection at once. */
  #recheck() {
    this.#engine?.fire('ping');
    this.#engine?.fire('retry');
  }

  /** Opens the socket the engine asked for, in place of any other. */
  #open() {
    this.#dropSocket();
    /** @type {SocketLike | null} */
    let socket = null;
    try {
      socket = this.#transport ? this.#transport(this.#url) : new WebSocket(this.#url);
    } catch {
      // Reported below, as a transport that made no socket.
    }
    if (!socket || typeof socket !== 'object') {
      this.#dispatch('error', { code: 'bad_url', message: `cannot open a WebSocket to ${this.#url}` });
      // After this delivery: the engine's own report of the attempt comes first.
      queueMicrotask(() => this.#engine?.closed(1006, ''));
      return;
    }
    const listeners = {
      open: () => this.#engine?.opened(),
      message: (/** @type {MessageEvent} */ event) => {
        this.#sleepCheck();
        this.#engine?.frame(event.data);
      },
      close: (/** @type {CloseEvent} */ event) => {
        this.#detach();
        this.#engine?.closed(event.code ?? 1006, event.reason ?? '');
      },
    };
    for (const [type, listener] of Object.entries(listeners)) socket.addEventListener(/** @type {'open'} */ (type), listener);
    this.#socket = { socket, listeners };
  }

  /**
   * Sends a frame on the open socket, if any (a closed one is being replaced).
   * @param {string} text
   */
  #sendFrame(text) {
    try {
      this.#socket?.socket.send(text);
    } catch {
      this.#dispatch('error', { code: 'send_failed', message: 'the socket refused a frame' });
    }
  }

  /** Stops listening to the socket; returns it. */
  #detach() {
    const held = this.#socket;
    this.#socket = null;
    if (!held) return null;
    for (const [type, listener] of Object.entries(held.listeners)) held.socket.removeEventListener(/** @type {'open'} */ (type), listener);
    return held.socket;
  }

  /** Closes the socket, unheard: the engine asked for it. */
  #dropSocket() {
    try {
      this.#detach()?.close(1000);
    } catch {
      // Closing an already closed socket.
    }
  }

  /**
   * @param {string} type
   * @param {any} payload
   */
  #dispatch(type, payload) {
    if (type === 'view') this.view = payload;
    if (type === 'roster') this.roster = payload;
    if (type === 'connection') this.connection = payload.state;
    // Told by the engine, with its outcome: not told again from the view.
    if (type === 'record_ended') this.#seen.delete(payload.record);
    if (type === 'ack' || type === 'nack') {
      const waiter = this.#pending.get(payload.id);
      if (waiter) {
        this.#pending.delete(payload.id);
        clearTimeout(waiter.timer);
        if (type === 'ack') waiter.resolve({ id: payload.id, seq: payload.seq });
        else waiter.reject(failure(payload.code, payload.message));
      }
    }
    this.#emit(type, payload);
    if (type === 'view') {
      this.#records(payload);
      this.#watchInput(payload);
    }
  }

  /**
   * @param {string} type
   * @param {unknown} payload
   */
  #emit(type, payload) {
    for (const listener of this.#listeners.get(type) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        queueMicrotask(() => { throw error; });
      }
    }
  }

  /** Records seen at this agent, by id: their status in the last view. @type {Map<number, string>} */
  #seen = new Map();

  /**
   * `preview` when a record arrives as a preview, from the view; the engine
   * tells `record_ended` with its outcome, and the view any record gone that
   * no event told of (a snapshot after a long outage), without one.
   * @param {View} view
   */
  #records(view) {
    if (!view.ready) return;
    const now = new Map(view.outbound.map((o) => [o.record.id, o]));
    for (const [id, item] of now) {
      const before = this.#seen.get(id);
      if (item.record.status === 'previewing' && before !== 'previewing') this.#emit('preview', item);
    }
    for (const id of this.#seen.keys()) {
      if (!now.has(id)) this.#emit('record_ended', { record: id });
    }
    this.#seen = new Map([...now].map(([id, item]) => [id, item.record.status]));
  }

  /**
   * @param {Command} kind
   * @returns {Promise<{ id: string, seq: number }>}
   */
  async #send(kind) {
    const engine = await this.#readyEngine();
    // close() may have run while this waited for its turn.
    if (this.#engine !== engine) throw closed();
    const id = engine.command(JSON.stringify(kind));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        // Never sent again: a page told `timeout` may choose otherwise.
        this.#engine?.forget(id);
        reject(failure('timeout', `no answer to command ${id} within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
    });
  }

  /**
   * The engine, once it has state to judge a command by: right after
   * connect() a command waits for the server's first snapshot instead of
   * failing. Rejects with `closed` if the client is or gets closed.
   * @returns {Promise<Engine>}
   */
  async #readyEngine() {
    if (this.#engine && !this.view.ready) await this.#synced();
    if (!this.#engine) throw closed();
    return this.#engine;
  }

  /**
   * Settles once the view is ready (the first snapshot arrived); rejects
   * with `not_ready` when it is not within the command timeout (naming a
   * refused token), at once when the server speaks another protocol (no
   * snapshot can come), or with `closed` when the client closes first.
   * @returns {Promise<void>}
   */
  #synced() {
    const incompatible = () => failure('not_ready', 'the server speaks another protocol version');
    return new Promise((resolve, reject) => {
      if (this.connection === 'incompatible') return reject(incompatible());
      const settle = (/** @type {Error | null} */ error) => {
        clearTimeout(timer);
        offView();
        offIncompatible();
        this.#syncWaiters.delete(settle);
        if (error) reject(error); else resolve();
      };
      this.#syncWaiters.add(settle);
      const timer = setTimeout(() => settle(failure('not_ready', `no state from the server within ${this.#timeoutMs} ms${
        this.connection === 'unauthorized' ? ': the server refused the token (updateToken() to go on)' : ''}`)), this.#timeoutMs);
      const offView = this.on('view', (view) => { if (view.ready) settle(null); });
      const offIncompatible = this.on('connection', ({ state }) => {
        if (state === 'incompatible') settle(incompatible());
      });
    });
  }

  /** Commands waiting for the first snapshot: each settles with an error, or null once synced. @type {Set<(error: Error | null) => void>} */
  #syncWaiters = new Set();

  /** Judges a command as sending it would, without sending: null or { code, message }. @type {ClientApi['check']} */
  check(kind) {
    if (!this.#engine) return { code: 'closed', message: closed().message };
    const refusal = this.#engine.check(JSON.stringify(kind));
    return refusal === undefined ? null : JSON.parse(refusal);
  }

  /**
   * Logs in; the status becomes the profile's login status. With
   * `previewMedia`, the media types for push preview are chosen right after
   * (P1) and the promise settles with that second command.
   * @type {ClientApi['login']}
   */
  async login(options) {
    const media = options?.previewMedia;
    if (media === undefined || media === null) return this.#send('login');
    if (!Array.isArray(media)) throw failure('bad_argument', 'login(): previewMedia must be an array of channels');
    await this.#send('login');
    return this.choosePreviewMedia(media);
  }
  /** Logs out; refused while interactions are open. @type {ClientApi['logout']} */
  logout() { return this.#send('logout'); }
  /** Chooses a status (and its secondary status, where required). @type {ClientApi['setStatus']} */
  setStatus(status, secondary) { return this.#send({ set_status: { status, secondary: secondary ?? null } }); }
  /** From RONA: the default idle reason. @type {ClientApi['goIdle']} */
  goIdle() { return this.#fromRona('go_idle'); }
  /** From RONA: available again. @type {ClientApi['goAvailable']} */
  goAvailable() { return this.#fromRona('go_available'); }
  /** Accepts an offer. @type {ClientApi['accept']} */
  accept(offer) { return this.#send({ accept: { offer } }); }
  /** Declines an offer; the contact goes back to its queue. @type {ClientApi['decline']} */
  decline(offer) { return this.#send({ decline: { offer } }); }
  /** Ends an active interaction; it enters wrap-up. @type {ClientApi['end']} */
  end(interaction) { return this.#send({ end: { interaction } }); }
  /** Marks an interaction in wrap-up done, with a wrap-up code. @type {ClientApi['done']} */
  done(interaction, code) { return this.#send({ done: { interaction, code: code ?? null } }); }
  /** Places an outbound call. @type {ClientApi['outdial']} */
  outdial(number) { return this.#send({ outdial: { number } }); }
  /** Supervisor: logs an agent out. @type {ClientApi['logoutAgent']} */
  logoutAgent(agent) { return this.#send({ logout_agent: { agent } }); }
  /** Puts the customer (or, in control, any participant) on hold. @type {ClientApi['hold']} */
  hold(interaction, participant) { return this.#send({ hold: { interaction, participant: participant ?? null } }); }
  /** Takes the customer (or a participant) off hold. @type {ClientApi['resume']} */
  resume(interaction, participant) { return this.#send({ resume: { interaction, participant: participant ?? null } }); }
  /** Consults an agent, queue or number while the customer waits on hold. @type {ClientApi['consult']} */
  consult(interaction, target) { return this.#send({ consult: { interaction, target } }); }
  /** Brings an agent, queue or number straight into the conversation. @type {ClientApi['conference']} */
  conference(interaction, target) { return this.#send({ conference: { interaction, target } }); }
  /** Blind transfer to an agent, queue or number; this agent goes to wrap-up. @type {ClientApi['transfer']} */
  transfer(interaction, target) { return this.#send({ transfer: { interaction, target } }); }
  /** Ends a consult, asked or answered. @type {ClientApi['endConsult']} */
  endConsult(interaction) { return this.#send({ end_consult: { interaction } }); }
  /** After a consult: hands the customer to the consulted party. @type {ClientApi['completeTransfer']} */
  completeTransfer(interaction) { return this.#send({ complete_transfer: { interaction } }); }
  /** After a consult: everyone talks together. @type {ClientApi['startConference']} */
  startConference(interaction) { return this.#send({ start_conference: { interaction } }); }
  /** Leaves a call that goes on ("exit conference" for the agent in control). @type {ClientApi['leave']} */
  leave(interaction) { return this.#send({ leave: { interaction } }); }
  /** Sends DTMF digits (0-9, *, #); they go into the case history. @type {ClientApi['dtmf']} */
  dtmf(interaction, digits) { return this.#send({ dtmf: { interaction, digits } }); }
  /** Starts recording, where the line supports it. @type {ClientApi['record']} */
  record(interaction) { return this.#send({ record: { interaction } }); }
  /** Starts another interaction with the same customer on another channel. @type {ClientApi['followUp']} */
  followUp(interaction, channel) { return this.#send({ follow_up: { interaction, channel } }); }

  // Outbound campaigns in push preview (SPEC P1-P8, W1-W7). `record` is
  // the id of a record in `view.outbound`; each action is enabled exactly
  // when that record's `actions` says so.

  /** Chooses the media types previews are pushed on (P1); none stops them. @type {ClientApi['choosePreviewMedia']} */
  choosePreviewMedia(media) { return this.#send({ preview_media: { media } }); }
  /** Asks for the next preview after "done and stop" or a missed preview (W1). @type {ClientApi['getRecord']} */
  getRecord() { return this.#send('get_record'); }
  /** Accepts a preview: the record is this agent's (P3). @type {ClientApi['acceptPreview']} */
  acceptPreview(record) { return this.#send({ accept_preview: { record } }); }
  /** Rejects a preview: back to the top of the list; a callback goes to another agent (P3, W7). @type {ClientApi['rejectPreview']} */
  rejectPreview(record) { return this.#send({ reject_preview: { record } }); }
  /** Connect: dials the active number, or `number` (an edited one, P4). @type {ClientApi['dial']} */
  dial(record, number) { return this.#send({ dial: { record, number: number ?? null } }); }
  /** Before dialling: back to the list, ownership released (P4). @type {ClientApi['cancelRecord']} */
  cancelRecord(record) { return this.#send({ cancel_record: { record } }); }
  /** Hands the record to another agent of the campaign (P4, P6). @type {ClientApi['transferRecord']} */
  transferRecord(record, agent) { return this.#send({ transfer_record: { record, agent } }); }
  /** Changes custom fields of the record: `{ name: value }` (P4, P5). @type {ClientApi['editRecord']} */
  editRecord(record, fields) { return this.#send({ edit_record: { record, fields } }); }
  /** Adds a chained record, another number of the contact (P4-P6). @type {ClientApi['addChained']} */
  addChained(record, number) { return this.#send({ add_chained: { record, number } }); }
  /** Makes the chained record at `index` (from 0) the active one (P4, P6). @type {ClientApi['setActive']} */
  setActive(record, index) { return this.#send({ set_active: { record, index } }); }
  /** Saves the record to the calling list now (P4, P5). @type {ClientApi['updateRecord']} */
  updateRecord(record) { return this.#send({ update_record: { record } }); }
  /**
   * Sets a callback (W2) at `at` (a Date or UTC milliseconds), optionally on
   * another number, personal (this agent) or for any agent of the campaign.
   * @type {ClientApi['reschedule']}
   */
  // A caller in plain JS may leave the options out: `at` is then rejected below.
  reschedule(record, { at, number, personal = false } = /** @type {any} */ ({})) {
    const ms = at instanceof Date ? at.getTime() : at;
    if (!Number.isFinite(ms) || ms < 0) return Promise.reject(failure('bad_argument', 'reschedule(): `at` must be a valid Date or milliseconds'));
    return this.#send({ reschedule: { record, at: Math.round(ms), number: number || null, personal: Boolean(personal) } });
  }
  /** Cancels the callback set on the record (W3). @type {ClientApi['cancelReschedule']} */
  cancelReschedule(record) { return this.#send({ cancel_reschedule: { record } }); }
  /** Chooses the call result, one of `campaign.results` (P6). @type {ClientApi['callResult']} */
  callResult(record, result) { return this.#send({ call_result: { record, result } }); }
  /** Marks the contact do-not-call: off every campaign's list (P6). @type {ClientApi['doNotCall']} */
  doNotCall(record) { return this.#send({ do_not_call: { record } }); }
  /** Marks the record done; with `stop`, no next preview until getRecord() (P7, W1). @type {ClientApi['markDone']} */
  markDone(record, { stop = false } = {}) { return this.#send({ mark_done: { record, stop: Boolean(stop) } }); }

  // Presence and supervision (SPEC S6, S11, S12, M1-M3, S9).

  /** Follows the presence of the user's teams and favourites: `roster` and `presence` events follow. @type {ClientApi['subscribeRoster']} */
  subscribeRoster() { this.#engine?.subscribeRoster(); }
  /** Stops following the roster; `roster` becomes empty. @type {ClientApi['unsubscribeRoster']} */
  unsubscribeRoster() { this.#engine?.unsubscribeRoster(); }
  /** Gives a location (null clears it) and whether others see it (S12). @type {ClientApi['setLocation']} */
  setLocation(text, { shared = false } = {}) { return this.#send({ set_location: { text: text ?? null, shared: Boolean(shared) } }); }
  /** Replaces the users followed besides the teams (S12). @type {ClientApi['setFavourites']} */
  setFavourites(users) { return this.#send({ set_favourites: { users } }); }
  /** Supervisor: monitors an agent's call silently, through that agent (M1, M2). @type {ClientApi['monitor']} */
  monitor(interaction, agent) { return this.#send({ monitor: { interaction, agent } }); }
  /** Supervisor: pauses a silent monitoring (M1). @type {ClientApi['pauseMonitoring']} */
  pauseMonitoring(interaction) { return this.#send({ pause_monitoring: { interaction } }); }
  /** Supervisor: resumes a paused monitoring (M1). @type {ClientApi['resumeMonitoring']} */
  resumeMonitoring(interaction) { return this.#send({ resume_monitoring: { interaction } }); }
  /** Supervisor: joins the monitored call and talks (M1). @type {ClientApi['bargeIn']} */
  bargeIn(interaction) { return this.#send({ barge_in: { interaction } }); }
  /** Supervisor: stops monitoring and leaves the call. @type {ClientApi['stopMonitoring']} */
  stopMonitoring(interaction) { return this.#send({ stop_monitoring: { interaction } }); }

  /** Stops the input watching of auto-away. @type {AbortController | null} */
  #watching = null;
  /** When `present` was last sent, on the engine's clock (a simulator's virtual one too). */
  #presentAt = -Infinity;
  /** The Idle Detection API's detector, once permitted (not in every DOM typing). @type {any} */
  #idleDetector = null;

  /**
   * SPEC S11: where the profile has auto-away, input in the page (and the
   * Idle Detection API, where already permitted) tells the server the user
   * is here, at most once per quarter of the auto-away time. Listeners are
   * passive and registered once.
   * @param {View} view
   */
  #watchInput(view) {
    if (this.#watching || !this.#engine || !(view.auto_away_ms > 0) || typeof window === 'undefined') return;
    this.#watching = new AbortController();
    const options = { passive: true, capture: true, signal: this.#watching.signal };
    for (const type of INPUT_EVENTS) {
      window.addEventListener(type, (event) => { if (type !== 'focus' || event.target === window) this.#present(); }, options);
    }
    this.#detectIdle(false).catch(() => {});
  }

  #present() {
    const every = this.view.auto_away_ms / 4;
    if (!(every > 0) || !this.view.logged_in || this.#now() - this.#presentAt < every) return;
    this.#presentAt = this.#now();
    this.#send('present').catch(() => {});
  }

  /**
   * Asks for the Idle Detection permission (call it from a user gesture,
   * such as a click) and, once granted, sends `present` while the user is
   * active anywhere on the device, not only in this page (S11). Resolves
   * with the permission: `granted`, `denied` or `unsupported`.
   * @type {ClientApi['enableIdleDetection']}
   */
  enableIdleDetection() { return this.#detectIdle(true); }

  /**
   * @param {boolean} ask
   * @returns {Promise<'granted' | 'denied' | 'unsupported'>}
   */
  async #detectIdle(ask) {
    /** @type {any} */
    const Detector = Reflect.get(globalThis, 'IdleDetector');
    if (typeof Detector !== 'function') return 'unsupported';
    let state;
    if (ask) {
      state = await Detector.requestPermission();
    } else {
      try {
        state = (await navigator.permissions.query({ name: /** @type {PermissionName} */ ('idle-detection') })).state;
      } catch {
        return 'unsupported';
      }
    }
    const watching = this.#watching;
    if (state !== 'granted' || !watching || this.#idleDetector) return state;
    const detector = (this.#idleDetector = new Detector());
    let timer = 0;
    const follow = () => {
      clearInterval(timer);
      if (detector.userState !== 'active' || detector.screenState !== 'unlocked') return;
      this.#present();
      timer = setInterval(() => this.#present(), Math.max(1_000, this.view.auto_away_ms / 4));
    };
    watching.signal.addEventListener('abort', () => {
      clearInterval(timer);
      this.#idleDetector = null;
    });
    detector.addEventListener('change', follow, { signal: watching.signal });
    await detector.start({ threshold: IDLE_THRESHOLD_MS, signal: watching.signal });
    follow();
    return state;
  }

  /** @param {'go_idle' | 'go_available'} choice */
  async #fromRona(choice) {
    await this.#readyEngine();
    const rona = this.view.rona;
    if (!rona) throw failure('not_in_rona', 'the agent is not in RONA');
    return this.setStatus(rona[choice]);
  }

  /** Replaces the token; reconnects at once if the old one was refused. @type {ClientApi['updateToken']} */
  updateToken(token) { this.#engine?.updateToken(token); }

  /**
   * Closes the connection, stops watching input and frees the wasm engine;
   * pending and later commands are rejected with `closed`. Safe to call twice.
   * @type {ClientApi['close']}
   */
  close() {
    const engine = this.#engine;
    if (!engine) return;
    this.#engine = null;
    this.#watching?.abort();
    this.#watching = null;
    this.#unclock?.();
    this.#io.abort();
    engine.close();
    // Freed once the current call stack is done: close() may run inside one
    // of the engine's own events, while the engine is still borrowed.
    queueMicrotask(() => engine.free());
    for (const [id, waiter] of this.#pending) {
      clearTimeout(waiter.timer);
      waiter.reject(failure('closed', `the client closed before command ${id} was answered`));
    }
    this.#pending.clear();
    for (const settle of this.#syncWaiters) settle(closed());
  }
}
