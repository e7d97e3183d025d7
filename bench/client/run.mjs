// The client benchmark's driver (run by scripts/bench-client): in one
// headless Debian Chromium, (1) applies a recorded trace of one agent's
// server events with the engine's replica in wasm and with an XState 5
// machine, printing events/s for both and the ratio, and JS heap and wasm
// memory before and after the timed pass (after a warm-up pass); (2) counts
// the page's wake-ups while the real package, connected to a real server,
// shows a status timer. Figures are printed, never asserted; the run fails
// only when the two sides disagree on the views they derived.
//
// Usage: node bench/client/run.mjs TRACE PAGE_DIR WAKE_SECONDS
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import { launchChromium, startServer } from '../../e2e/harness.mjs';

const [tracePath, pageDir, wakeSecondsText] = process.argv.slice(2);
const wakeSeconds = Number(wakeSecondsText);
if (!tracePath || !pageDir || !(wakeSeconds > 0)) {
  console.error('usage: node bench/client/run.mjs TRACE PAGE_DIR WAKE_SECONDS');
  process.exit(2);
}

/** Frames per hand-over to the page: a few MB of JSON at a time. */
const CHUNK = 10_000;
/** Events of the warm-up pass, before anything is measured. */
const WARM_UP = 50_000;

const origin = 'http://bench.invalid';
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
const rate = (events, ms) => Math.round(events / (ms / 1000)).toLocaleString('en-US');

/** The trace, a chunk of lines at a time; the welcome frame heads the first. */
async function* chunks(limit = Infinity) {
  const lines = createInterface({ input: createReadStream(tracePath), crlfDelay: Infinity });
  let chunk = [];
  let taken = 0;
  for await (const line of lines) {
    if (taken++ > limit) break;
    chunk.push(line);
    if (chunk.length === CHUNK) {
      yield chunk.join('\n');
      chunk = [];
    }
  }
  if (chunk.length) yield chunk.join('\n');
}

async function pass(page, limit) {
  await page.evaluate(() => window.bench.reset());
  const total = { count: 0, wasmMs: 0, xstateMs: 0 };
  for await (const text of chunks(limit)) {
    const timed = await page.evaluate((t) => window.bench.feed(t), text);
    total.count += timed.count;
    total.wasmMs += timed.wasmMs;
    total.xstateMs += timed.xstateMs;
  }
  return total;
}

async function memory(page, cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return { heap: usedSize, wasm: await page.evaluate(() => window.bench.wasmMemory()) };
}

async function throughput(browser) {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.route(`${origin}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    const body = await readFile(join(pageDir, path)).catch(() => null);
    if (!body) return route.fulfill({ status: 404 });
    return route.fulfill({ body, contentType: types[extname(path)] ?? 'application/octet-stream' });
  });
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction(() => document.title === 'ready');
  const cdp = await page.context().newCDPSession(page);

  await pass(page, WARM_UP);
  const before = await memory(page, cdp);
  const timed = await pass(page);
  const after = await memory(page, cdp);
  const outcome = await page.evaluate(() => window.bench.outcome());
  const events = timed.count - 1; // the welcome frame is not an event

  console.log(`trace: ${events.toLocaleString('en-US')} events for one agent (${tracePath})`);
  console.log(`(a) engine replica (wasm), view after each event: ${rate(events, timed.wasmMs)} events/s (${(timed.wasmMs / 1000).toFixed(2)} s)`);
  console.log(`(b) XState 5 machine + view selector:            ${rate(events, timed.xstateMs)} events/s (${(timed.xstateMs / 1000).toFixed(2)} s)`);
  console.log(`ratio (a)/(b): ${(timed.xstateMs / timed.wasmMs).toFixed(1)} x (goal >= 10 x)`);
  console.log(`JS heap after GC: ${mb(before.heap)} before, ${mb(after.heap)} after (${after.heap >= before.heap ? '+' : ''}${mb(after.heap - before.heap)})`);
  console.log(`wasm memory: ${mb(before.wasm)} before, ${mb(after.wasm)} after (${after.wasm > before.wasm ? 'grew' : 'no growth'})`);
  await page.close();
  return agree(outcome);
}

/** Both sides derived the same views: the digests and the last view agree. */
function agree({ wasmDigest, xstateDigest, wasmView, xstateView }) {
  const pick = (view) => ({
    status: { id: view.status.id, label: view.status.label, colour: view.status.colour, engaged: view.status.engaged, timer: view.status.timer },
    offers: view.offers.map((o) => ({ id: o.id, remaining: o.remaining, flashing: o.flashing })),
    interactions: view.interactions.map((i) => ({ id: i.id, state: i.state, call_state: i.call_state, connected: i.connected, held: i.held, wrap_up: i.wrap_up })),
    rona: view.rona,
  });
  const same = wasmDigest === xstateDigest && isDeepStrictEqual(pick(wasmView), pick(xstateView));
  console.log(`views agree: ${same ? 'yes' : 'NO'} (digest ${wasmDigest} / ${xstateDigest})`);
  if (!same) console.error(JSON.stringify({ engine: pick(wasmView), xstate: pick(xstateView) }, null, 1));
  return same;
}

async function wakeUps(browser) {
  const server = await startServer();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Count every timer callback the page runs, the package's and the desk's.
    await page.addInitScript(() => {
      window.__wakeUps = 0;
      const counted = (schedule) => (callback, ...rest) =>
        schedule((...args) => { window.__wakeUps += 1; return typeof callback === 'function' ? callback(...args) : undefined; }, ...rest);
      window.setTimeout = counted(window.setTimeout.bind(window));
      window.setInterval = counted(window.setInterval.bind(window));
      window.requestAnimationFrame = counted(window.requestAnimationFrame.bind(window));
    });
    await page.goto(`${server.http}/#token=${server.token('ana', 'agent')}`);
    await page.locator('ringside-agent button[data-action="login"]').click();
    await page.locator('ringside-agent #status').selectOption('available');
    await page.waitForFunction(() => document.querySelector('ringside-agent').shadowRoot.getElementById('status-label')?.textContent === 'Available');
    await page.evaluate(() => {
      window.__views = 0;
      document.querySelector('ringside-agent').client.on('view', () => { window.__views += 1; });
    });
    const start = await page.evaluate(() => ({ wakeUps: window.__wakeUps, at: performance.now(), timer: document.querySelector('ringside-agent').client.view.status.timer }));
    await new Promise((done) => setTimeout(done, wakeSeconds * 1000));
    const end = await page.evaluate(() => ({ wakeUps: window.__wakeUps, views: window.__views, at: performance.now(), timer: document.querySelector('ringside-agent').client.view.status.timer }));
    const seconds = (end.at - start.at) / 1000;
    const perSecond = (count) => (count / seconds).toFixed(2);
    console.log(`wake-ups while the status timer shows (${start.timer} -> ${end.timer}, ${seconds.toFixed(1)} s): ` +
      `${perSecond(end.wakeUps - start.wakeUps)} timer callbacks/s, ${perSecond(end.views)} view events/s (goal <= 1)`);
    await context.close();
  } finally {
    await server.stop();
  }
}

const browser = await launchChromium();
try {
  const agreed = await throughput(browser);
  await wakeUps(browser);
  process.exitCode = agreed ? 0 : 1;
} finally {
  await browser.close();
}
