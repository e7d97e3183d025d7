// The benchmark page: the trace is fed in chunks of JSON lines; each chunk
// is decoded first (untimed), then applied and timed on both sides: (a) the
// engine's replica in the wasm bench module, the view derived after every
// frame, and (b) the XState machine with its view selector after every
// frame. Each side folds its views into a digest; the two must agree.
import init, { Replay } from './wasm/replay.js';
import { digestOf, selectView, startAgent, toEvent } from './agent-machine.js';

const wasm = await init();
let replay;
let actor;
let digest;
let lastView;

function reset() {
  replay?.free();
  actor?.stop();
  replay = new Replay();
  actor = startAgent();
  digest = 0;
  lastView = null;
}

function feed(text) {
  const count = replay.load(text);
  let start = performance.now();
  replay.apply();
  const wasmMs = performance.now() - start;

  const events = text.split('\n').filter(Boolean).map((line) => toEvent(JSON.parse(line)));
  start = performance.now();
  for (const event of events) {
    actor.send(event);
    lastView = selectView(actor.getSnapshot(), event.at ?? event.server_time);
    digest = (Math.imul(digest, 31) + digestOf(lastView)) >>> 0;
  }
  const xstateMs = performance.now() - start;
  return { count, wasmMs, xstateMs };
}

function outcome() {
  return { wasmDigest: replay.digest(), xstateDigest: digest, wasmView: JSON.parse(replay.view_json()), xstateView: lastView };
}

window.bench = { reset, feed, outcome, wasmMemory: () => wasm.memory.buffer.byteLength };
document.title = 'ready';
