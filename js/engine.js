// The engine's binding: loads the wasm module (wasm/engine.wasm) and gives
// its exports the shape index.js uses. Written by hand, not generated: the
// module speaks in numbers (src/web/abi.rs), and strings cross through one
// buffer each way, so this is all the glue there is.

/**
 * The module's exports (src/web/abi.rs).
 * @typedef {{
 *   memory: WebAssembly.Memory,
 *   buffer(len: number): number, reply_ptr(): number, reply_len(): number,
 *   engine_new(tokenLen: number, seed: number): number, engine_free(h: number): void,
 *   engine_connect(h: number): void, engine_opened(h: number): void, engine_close(h: number): void,
 *   engine_frame_fits(h: number, units: number): number, engine_frame(h: number): void, engine_binary_frame(h: number): void,
 *   engine_closed(h: number, code: number): void, engine_fire(h: number, timer: number): void,
 *   engine_command(h: number): number, engine_forget(h: number): void, engine_check(h: number): number,
 *   engine_view(h: number): number, engine_roster(h: number): number, engine_connection_state(h: number): number,
 *   engine_subscribe_roster(h: number): void, engine_unsubscribe_roster(h: number): void, engine_update_token(h: number): void,
 * }} Exports
 */

/** @import { ErrorCode } from './types.gen.js' */

/** What an engine calls: the page's events and I/O requests, and its clock. @typedef {{ deliver(type: string, payload: string): void, clock(): number }} Host */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** @type {Exports} */
let wasm;
/** The host of each live engine, by handle. @type {Map<number, Host>} */
const hosts = new Map();
/** Timer names, by the number the module knows them by (anything else is `wake`). */
const TIMERS = ['retry', 'ping'];

/** @param {number} ptr @param {number} len */
const read = (ptr, len) => decoder.decode(new Uint8Array(wasm.memory.buffer, ptr, len));

/**
 * Writes the text into the module's buffer for the next call.
 * @param {string} text
 */
function put(text) {
  const bytes = encoder.encode(text);
  // The module's memory may grow in buffer(): its ArrayBuffer is read after.
  const at = wasm.buffer(bytes.length);
  new Uint8Array(wasm.memory.buffer, at, bytes.length).set(bytes);
}

/**
 * An `Error` with a stable `code`, as every rejection of this package.
 * @param {ErrorCode} code
 * @param {string} message
 */
export function failure(code, message) {
  return Object.assign(new Error(message), { code });
}

/** The call's reply: its text, or a thrown `Error` with the refusal's `code`. @param {number} status */
function answer(status) {
  const text = read(wasm.reply_ptr(), wasm.reply_len());
  if (status === 0) return text;
  const { code, message } = JSON.parse(text);
  throw failure(code, message);
}

/**
 * Loads and instantiates the module (once; the caller keeps the promise).
 * @param {string | URL} [url] where the module is; beside this file by default
 */
export async function load(url = new URL('./wasm/engine.wasm', import.meta.url)) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${response.status} ${response.statusText} for ${url}`);
  const { instance } = await WebAssembly.instantiate(await response.arrayBuffer(), {
    ringside: {
      /** @type {(h: number, kind: number, kindLen: number, payload: number, payloadLen: number) => void} */
      deliver(h, kind, kindLen, payload, payloadLen) {
        const host = hosts.get(h);
        // A listener's exception must not unwind through the engine.
        try {
          host?.deliver(read(kind, kindLen), read(payload, payloadLen));
        } catch (error) {
          queueMicrotask(() => { throw error; });
        }
      },
      /** @type {(h: number) => number} */
      now(h) {
        try {
          return Number(hosts.get(h)?.clock()) || 0;
        } catch {
          return 0;
        }
      },
    },
  });
  wasm = /** @type {Exports} */ (/** @type {unknown} */ (instance.exports));
}

/** One agent engine in the module (see src/web/mod.rs). */
export class Engine {
  /** The module's handle for this engine. */
  #h;

  /**
   * @param {string} token
   * @param {string} tag unique per tab: it prefixes command ids
   * @param {number} seed drives the reconnect jitter
   * @param {(type: string, payload: string) => void} deliver
   * @param {() => number} clock milliseconds
   */
  constructor(token, tag, seed, deliver, clock) {
    put(token + tag);
    this.#h = wasm.engine_new(encoder.encode(token).length, seed);
    hosts.set(this.#h, { deliver, clock });
  }

  connect() { wasm.engine_connect(this.#h); }
  opened() { wasm.engine_opened(this.#h); }
  close() { wasm.engine_close(this.#h); }
  subscribeRoster() { wasm.engine_subscribe_roster(this.#h); }
  unsubscribeRoster() { wasm.engine_unsubscribe_roster(this.#h); }

  /** A message event's `data`: a text frame is copied in only if the engine takes its length. @param {unknown} data */
  frame(data) {
    if (typeof data !== 'string') return wasm.engine_binary_frame(this.#h);
    if (wasm.engine_frame_fits(this.#h, data.length)) {
      put(data);
      wasm.engine_frame(this.#h);
    }
  }

  /** @param {number} code @param {string} reason */
  closed(code, reason) {
    put(reason);
    wasm.engine_closed(this.#h, code);
  }

  /** @param {string} timer `retry`, `ping` or `wake` */
  fire(timer) { wasm.engine_fire(this.#h, TIMERS.indexOf(timer) >>> 0); }

  /** Sends a command (JSON); returns its id, or throws the refusal. @param {string} json */
  command(json) {
    put(json);
    return answer(wasm.engine_command(this.#h));
  }

  /** Stops sending a command the page gave up on. @param {string} id */
  forget(id) {
    put(id);
    wasm.engine_forget(this.#h);
  }

  /** The rules' refusal of a command (JSON of `{ code, message }`), if any; throws if it is no command. @param {string} json */
  check(json) {
    put(json);
    const status = wasm.engine_check(this.#h);
    return status === 2 ? answer(0) : answer(status) || undefined;
  }

  /** The view, as JSON. */
  view() { return answer(wasm.engine_view(this.#h)); }
  /** The roster, as JSON. */
  roster() { return answer(wasm.engine_roster(this.#h)); }
  /** The connection state's name. */
  connectionState() { return answer(wasm.engine_connection_state(this.#h)); }

  /** @param {string} token */
  updateToken(token) {
    put(token);
    wasm.engine_update_token(this.#h);
  }

  /** Frees the engine; this object is done. */
  free() {
    wasm.engine_free(this.#h);
    hosts.delete(this.#h);
  }
}
