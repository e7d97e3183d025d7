// End to end: the in-page simulator (`ringside/sim`) with no ringside-server.
// The real center runs in the page behind a virtual clock; the unchanged
// engine connects to it through `connect({ transport, clock })`. Written the
// way a CRM developer's headless test would be (README, "Simulator").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { launchChromium } from './harness.mjs';

const pkg = resolve(import.meta.dirname, '..', 'pkg');
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

let http;
let base;
let browser;

before(async () => {
  // A static server for the built package and an empty page: nothing else.
  http = createServer(async (request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>sim</title>');
      return;
    }
    const file = normalize(join(pkg, path.replace(/^\/pkg\//, '/')));
    try {
      if (!file.startsWith(pkg)) throw new Error('outside');
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((done) => http.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${http.address().port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((done) => http?.close(done) ?? done());
});

/** A fresh page with a simulator and `tabs` engines of agent ana on it. */
async function simulatedDesk(tabs = 1) {
  const page = await browser.newPage();
  await page.goto(base);
  await page.evaluate(async (tabs) => {
    const { connect } = await import('/pkg/index.js');
    const { createSimulator } = await import('/pkg/sim.js');
    const sim = await createSimulator({ queues: ['support'], agents: ['ana'], profile: { preset: 'contact_center' } });
    const clients = [];
    for (let i = 0; i < tabs; i++) {
      clients.push(await connect({ url: 'sim://center', token: 'ana', transport: sim.transport, clock: sim.clock }));
    }
    const seen = { offers: [], rona: [], ended: [] };
    clients[0].on('offer', (offer) => seen.offers.push(offer));
    clients[0].on('rona', (rona) => seen.rona.push(rona));
    clients.at(-1).on('offer_ended', (ended) => seen.ended.push(ended));
    Object.assign(window, { sim, clients, client: clients[0], seen });
  }, tabs);
  return page;
}

test('a whole RONA cycle runs on the virtual clock with no server (SPEC O1, O2, O3, O5)', async () => {
  const page = await simulatedDesk();
  const cycle = await page.evaluate(async () => {
    const started = performance.now();
    await client.login();
    await client.setStatus('available');
    const contact = sim.placeContact({ queue: 'support', channel: 'voice', from: '+46 8 555 0100' });
    const offer = seen.offers[0];
    const flashAt = offer.deadline - 5_000;
    const steps = { contact, voiceTimeout: offer.deadline - offer.offered_at };
    await sim.advanceTo(flashAt - 1);
    steps.beforeFlash = { flashing: client.view.offers[0].flashing, remaining: client.view.offers[0].remaining };
    await sim.advanceTo(flashAt);
    steps.atFlash = { flashing: client.view.offers[0].flashing, remaining: client.view.offers[0].remaining };
    await sim.advanceTo(offer.deadline - 1);
    steps.lastMs = { status: client.view.status.id, rona: seen.rona.length };
    await sim.advanceTo(offer.deadline);
    steps.atDeadline = { status: client.view.status.id, rona: seen.rona, offers: client.view.offers.length };
    steps.queue = sim.state().queues.support;
    await client.goAvailable();
    steps.again = { status: client.view.status.id, offered: client.view.offers.map((o) => o.contact) };
    steps.ms = performance.now() - started;
    return steps;
  });
  console.log(`simulator: a whole RONA cycle (login, offer, flash, RONA, available, offered again) took ${cycle.ms.toFixed(1)} ms of page time for ${(cycle.voiceTimeout / 1000).toFixed(0)} s of virtual time`);
  assert.equal(cycle.voiceTimeout, 18_000, 'voice offers time out after 18 s (O1)');
  assert.deepEqual(cycle.beforeFlash, { flashing: false, remaining: '00:06' });
  assert.deepEqual(cycle.atFlash, { flashing: true, remaining: '00:05' }, 'the flash starts exactly 5 s before the deadline (O2)');
  assert.deepEqual(cycle.lastMs, { status: 'available', rona: 0 });
  assert.deepEqual(cycle.atDeadline, { status: 'rona', rona: [{ cause: 'no_answer', notification: 'none' }], offers: 0 });
  assert.deepEqual(cycle.queue, [{ contact: cycle.contact, place: 'waiting' }], 'the contact is back in its queue (O3)');
  assert.deepEqual(cycle.again, { status: 'available', offered: [cycle.contact] }, 'available again, the contact comes back (O5)');
  await page.close();
});

test('a tab opened in RONA may choose at once: goIdle waits for its first snapshot as every command does (SPEC O5)', async () => {
  const page = await simulatedDesk();
  const seenByNewTab = await page.evaluate(async () => {
    const { connect } = await import('/pkg/index.js');
    await client.login();
    await client.setStatus('available');
    sim.placeContact({ queue: 'support', channel: 'voice' });
    await sim.advanceTo(seen.offers[0].deadline);
    const tab = await connect({ url: 'sim://center', token: 'ana', transport: sim.transport, clock: sim.clock });
    const before = tab.view.ready;
    const chosen = await tab.goIdle().then(() => tab.view.status.id, (error) => error.code);
    tab.close();
    return { before, chosen };
  });
  assert.deepEqual(seenByNewTab, { before: false, chosen: 'idle' });
  await page.close();
});

test("the README's example test runs as written: commands right after connect() wait for the first snapshot (SPEC O2, O3, O5)", async () => {
  // The page code of README's "A complete test of a RONA cycle", read from
  // the README itself so the example cannot drift from what works.
  const readme = await readFile(resolve(import.meta.dirname, '..', 'README.md'), 'utf8');
  const example = readme.slice(readme.indexOf('A complete test of a RONA cycle'));
  const body = example.match(/page\.evaluate\(async \(\) => \{\n([\s\S]*?)\n {2}\}\);\n {2}assert\.deepEqual\(result, (\{.*\})\);/);
  assert.ok(body, "README's example test has its page code and its expected result");
  const page = await browser.newPage();
  await page.goto(base);
  const result = await page.evaluate(`(async () => {\n${body[1]}\n})()`);
  assert.deepEqual(result, { flashing: true, status: 'rona', again: 1 });
  assert.equal(body[2], "{ flashing: true, status: 'rona', again: 1 }", 'the README expects what this test checks');
  await page.close();
});

test('a command waiting for the first snapshot ends with not_ready after the command timeout, or closed', async () => {
  const page = await browser.newPage();
  await page.goto(base);
  const codes = await page.evaluate(async () => {
    const { connect } = await import('/pkg/index.js');
    // A transport that never opens: the engine never gets a snapshot.
    const silent = () => Object.assign(new EventTarget(), { readyState: 0, send() {}, close() {} });
    const unsynced = await connect({ url: 'sim://nowhere', token: 'ana', transport: silent, commandTimeoutMs: 200 });
    const late = await unsynced.login().then(() => 'ack', (e) => e.code);
    const closing = await connect({ url: 'sim://nowhere', token: 'ana', transport: silent });
    const waiting = closing.login().then(() => 'ack', (e) => e.code);
    closing.close();
    unsynced.close();
    return { late, closed: await waiting };
  });
  assert.deepEqual(codes, { late: 'not_ready', closed: 'closed' });
  await page.close();
});

test('a supervisor follows the team roster on the simulator (SPEC S6, S12)', async () => {
  const page = await browser.newPage();
  await page.goto(base);
  const result = await page.evaluate(async () => {
    const { connect } = await import('/pkg/index.js');
    const { createSimulator } = await import('/pkg/sim.js');
    const sim = await createSimulator({
      agents: ['ana', 'bob', { id: 'sue', role: 'supervisor' }],
      directory: { teams: { floor: { label: 'Floor' } }, members: { ana: { teams: ['floor'] }, sue: { teams: ['floor'] } } },
    });
    const options = { url: 'sim://center', transport: sim.transport, clock: sim.clock };
    const sue = await connect({ ...options, token: 'sue' });
    const presence = [];
    sue.on('presence', (entry) => presence.push(`${entry.user}:${entry.status}`));
    sue.subscribeRoster();
    await sim.advance(0);
    const followed = sue.roster.entries.map((e) => e.user);
    const ana = await connect({ ...options, token: 'ana' });
    const bob = await connect({ ...options, token: 'bob' });
    await ana.login();
    await ana.setStatus('available');
    await bob.login();
    await sim.advance(0);
    const anaRow = sue.roster.entries.find((e) => e.user === 'ana');
    sim.close();
    sim.close();
    const afterClose = [() => sim.now(), () => sim.placeContact(), () => sim.state()].map((call) => {
      try {
        call();
        return 'answered';
      } catch (error) {
        return error.code;
      }
    });
    const refusedAdvance = await sim.advance(1).then(() => 'advanced', (error) => error.code);
    return { followed, presence, ana: { status: anaRow.status, logged_in: anaRow.logged_in }, afterClose, refusedAdvance };
  });
  assert.deepEqual(result.afterClose, ['closed', 'closed', 'closed'], 'a closed simulator says so, twice closed or not');
  assert.equal(result.refusedAdvance, 'closed');
  assert.deepEqual(result.followed, ['ana', 'sue'], 'the snapshot holds the team, not bob');
  assert.ok(result.presence.includes('ana:available'), `ana's change reaches sue: ${result.presence}`);
  assert.ok(!result.presence.some((p) => p.startsWith('bob:')), 'bob is not followed');
  assert.deepEqual(result.ana, { status: 'available', logged_in: true });
  await page.close();
});

test('accept, end and done on the simulator, seen by a second tab of the same agent (SPEC N4, V3)', async () => {
  const page = await simulatedDesk(2);
  const result = await page.evaluate(async () => {
    const [first, second] = clients;
    await first.login();
    await first.setStatus('available');
    sim.placeContact({ channel: 'chat', from: 'Kim' });
    const offer = first.view.offers[0];
    await first.accept(offer.id);
    const call = first.view.interactions[0];
    const inSecond = second.view.interactions.map((i) => i.id);
    await sim.advance(30_000);
    const timer = first.view.interactions[0].connected;
    await first.end(call.id);
    const wrapUp = second.view.interactions[0]?.state ?? null;
    const code = first.view.wrap_up_codes[0]?.id ?? null;
    await first.done(call.id, code);
    return { inSecond, call: call.id, ended: seen.ended, timer, wrapUp, left: [first.view.interactions.length, second.view.interactions.length], status: second.view.status.id };
  });
  assert.deepEqual(result.inSecond, [result.call], 'the second tab shows the accepted interaction (N4)');
  assert.equal(result.ended.length, 1, 'the second tab saw the offer end');
  assert.equal(result.timer, '00:30', 'the connected timer follows the virtual clock');
  assert.equal(result.wrapUp, 'wrap_up', 'ended in one tab is wrap-up in both (V3)');
  assert.deepEqual(result.left, [0, 0], 'done in one tab is done in both');
  assert.equal(result.status, 'available');
  await page.close();
});

test('a dropped connection resumes on the simulator, after its backoff on the virtual clock, without losing an event (SPEC N2, N3)', async () => {
  const page = await simulatedDesk();
  const result = await page.evaluate(async () => {
    await client.login();
    const states = [];
    client.on('connection', ({ state }) => states.push(state));
    sim.dropConnections('ana');
    sim.placeContact({ channel: 'email' });
    // The reconnect waits on the virtual clock: real time alone does not bring it.
    await new Promise((done) => setTimeout(done, 600));
    const stillWaiting = client.connection;
    await sim.advance(500);
    const afterBackoff = client.connection;
    await client.setStatus('available');
    return { states, stillWaiting, afterBackoff, offers: client.view.offers.length, status: client.view.status.id };
  });
  assert.equal(result.states[0], 'waiting');
  assert.equal(result.stillWaiting, 'waiting', 'no reconnect before the virtual clock moves');
  assert.equal(result.afterBackoff, 'live', 'the first retry falls within 500 ms of virtual time');
  assert.equal(result.states.at(-1), 'live');
  assert.equal(result.status, 'available');
  assert.equal(result.offers, 1, 'the email waiting in the queue is offered once available');
  await page.close();
});

test('the custom element runs on the simulator: its accept button flashes and RONA shows, on the virtual clock (SPEC O2, O3)', async () => {
  const page = await browser.newPage();
  await page.goto(base);
  const seen = await page.evaluate(async () => {
    await import('/pkg/element.js');
    const { createSimulator } = await import('/pkg/sim.js');
    const sim = await createSimulator({ queues: ['support'], agents: ['ana'], profile: { preset: 'contact_center' } });
    const desk = document.createElement('ringside-agent');
    desk.setAttribute('url', 'sim://center');
    desk.setAttribute('token', 'ana');
    desk.setAttribute('roster', 'off');
    desk.connectOptions = { transport: sim.transport, clock: sim.clock };
    const ready = new Promise((done) => desk.addEventListener('ringside-ready', done, { once: true }));
    document.body.append(desk);
    await ready;
    await desk.client.login();
    await desk.client.setStatus('available');
    sim.placeContact({ channel: 'voice', from: '+46 8 555 0100' });
    const accept = () => desk.shadowRoot.querySelector('button.accept');
    // The view's offer counts down; the deadline is that far from now.
    const deadline = sim.now() + desk.client.view.offers[0].remaining_ms;
    await sim.advanceTo(deadline - 5_001);
    const before = accept()?.classList.contains('flashing');
    await sim.advanceTo(deadline - 5_000);
    const at = accept()?.classList.contains('flashing');
    await sim.advanceTo(deadline);
    const rona = desk.shadowRoot.querySelector('.rona') !== null;
    const said = desk.shadowRoot.querySelector('#live').textContent;
    // An offer that cannot be delivered (O4) is told by its cause.
    await desk.client.goAvailable();
    const offer = desk.client.view.offers[0]?.id ?? (await new Promise((done) => desk.client.on('view', (v) => v.offers[0] && done(v.offers[0].id))));
    sim.undeliverable(offer, 'device_fault');
    await sim.advance(0);
    const cause = desk.shadowRoot.querySelector('#live').textContent;
    return { before, at, rona, said, cause, status: desk.client.view.status.id, offers: desk.shadowRoot.querySelectorAll('button.accept').length };
  });
  assert.deepEqual(seen, {
    before: false, at: true, rona: true, status: 'rona', offers: 0,
    said: 'RONA: an offer was not answered. Choose Go idle or Go available.',
    cause: 'RONA: an offer could not reach you: your device did not ring. Choose Go idle or Go available.',
  });
  await page.close();
});

test('a failed load of the engine or the simulator is not kept: the next call loads it again; an unknown option is bad_config', async () => {
  const page = await browser.newPage();
  await page.goto(base);
  const result = await page.evaluate(async () => {
    const { connect } = await import('/pkg/index.js');
    const { createSimulator } = await import('/pkg/sim.js');
    const code = (promise) => promise.then(() => 'created', (error) => error.code);
    const simFailed = await code(createSimulator({ agents: ['ana'], wasmUrl: '/pkg/sim/missing.wasm' }));
    const unknownOption = await code(createSimulator({ agents: ['ana'], bogus: 1 }));
    const sim = await createSimulator({ queues: ['support'], agents: ['ana'], profile: { preset: 'contact_center' } });
    const options = { url: 'sim://center', token: 'ana', transport: sim.transport, clock: sim.clock };
    let failed = null;
    try {
      await connect({ ...options, wasmUrl: '/pkg/wasm/missing.wasm' });
    } catch (error) {
      failed = error.code;
    }
    const client = await connect(options);
    if (client.connection !== 'live') {
      await new Promise((done) => {
        const stop = client.on('connection', ({ state }) => { if (state === 'live') { stop(); done(); } });
      });
    }
    await client.login();
    return { simFailed, unknownOption, failed, loggedIn: client.view.logged_in };
  });
  assert.deepEqual(result, { simFailed: 'wasm_load_failed', unknownOption: 'bad_config', failed: 'wasm_load_failed', loggedIn: true });
  await page.close();
});

test('a token that names a center asks for it in the socket URL (?center=), so any cluster node routes it (SPEC N9)', async () => {
  const page = await browser.newPage();
  await page.goto(base);
  const urls = await page.evaluate(async () => {
    const { connect } = await import('/pkg/index.js');
    const { createSimulator } = await import('/pkg/sim.js');
    const sim = await createSimulator({ queues: ['support'], agents: ['ana'], profile: { preset: 'contact_center' } });
    const base64url = (text) => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const jwt = (claims) => `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(JSON.stringify(claims))}.signature`;
    const urlFor = async (url, token) => {
      let seen = null;
      const client = await connect({ url, token, transport: (asked) => { seen = asked; return sim.transport(asked); }, clock: sim.clock });
      client.close();
      return seen;
    };
    return [
      await urlFor('ws://node/ws', jwt({ sub: 'ana', center: 'north' })),
      await urlFor('ws://node/ws?x=1', jwt({ sub: 'ana', center: 'north_2' })),
      await urlFor('ws://node/ws?center=south', jwt({ sub: 'ana', center: 'north' })),
      await urlFor('ws://node/ws', jwt({ sub: 'ana' })),
      await urlFor('ws://node/ws', 'ana'),
    ];
  });
  assert.deepEqual(urls, [
    'ws://node/ws?center=north',
    'ws://node/ws?x=1&center=north_2',
    'ws://node/ws?center=south',
    'ws://node/ws',
    'ws://node/ws',
  ]);
  await page.close();
});

test('input in the page keeps the agent present on the virtual clock and brings it back from auto-away (SPEC S11)', async () => {
  const page = await browser.newPage();
  await page.goto(base);
  await page.evaluate(async () => {
    const { connect } = await import('/pkg/index.js');
    const { createSimulator } = await import('/pkg/sim.js');
    const sim = await createSimulator({ agents: ['ana'], profile: { preset: 'contact_center', auto_away_ms: 4_000 } });
    const client = await connect({ url: 'sim://center', token: 'ana', transport: sim.transport, clock: sim.clock });
    await client.login();
    await client.setStatus('available');
    Object.assign(window, { sim, client });
  });
  const after = (ms) => page.evaluate(async (ms) => {
    await sim.advance(ms);
    return client.view.status.id;
  }, ms);
  // A key every 3 s of virtual time, within milliseconds of page time:
  // each is a quarter of auto_away_ms after the last on the engine's clock.
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('a');
    statuses.push(await after(3_000));
  }
  statuses.push(await after(4_000));
  await page.keyboard.press('b');
  statuses.push(await after(0));
  assert.deepEqual(statuses, ['available', 'available', 'available', 'away_auto', 'available']);
  await page.close();
});

test("the simulator refuses what the server would and bad arguments with a code; closed with a client open, it raises nothing in the page", async () => {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(base);
  const result = await page.evaluate(async () => {
    const { connect } = await import('/pkg/index.js');
    const { createSimulator } = await import('/pkg/sim.js');
    const code = async (make) => {
      try {
        await make();
        return 'accepted';
      } catch (error) {
        return error.code;
      }
    };
    const configs = await Promise.all([
      { agents: ['ana'], queues: [] },
      { agents: ['ana'], queues: ['q'.repeat(65)] },
      { agents: ['a\nb'] },
      { agents: [''] },
      { agents: ['ana'], start: Number.NaN },
      { agents: ['ana'], start: '2030' },
    ].map((options) => code(() => createSimulator(options))));
    const sim = await createSimulator({ agents: ['ana'] });
    const before = sim.now();
    const moves = await Promise.all(['100', -1, Number.NaN, Infinity, undefined, 1e20].map((ms) => code(() => sim.advance(ms))));
    const past = await code(() => sim.advanceTo(before - 1));
    const unchanged = sim.now() === before;
    const customer = await Promise.all([
      () => sim.placeContact(null),
      () => sim.placeContact({ quue: 'sales' }),
      () => sim.placeContact(5),
      () => sim.hangUp(99n),
      () => sim.dropConnections(),
    ].map(code));
    const client = await connect({ url: 'sim://center', token: 'ana', transport: sim.transport, clock: sim.clock });
    await client.login();
    sim.close();
    // The client waits to reconnect on a clock that stands still; nothing throws.
    await new Promise((done) => setTimeout(done, 1_500));
    const waiting = client.connection;
    client.close();
    return { configs, moves, past, unchanged, customer, waiting };
  });
  assert.deepEqual(result.configs, ['bad_config', 'bad_config', 'bad_config', 'bad_config', 'bad_config', 'bad_config']);
  assert.deepEqual(result.moves, ['bad_argument', 'bad_argument', 'bad_argument', 'bad_argument', 'bad_argument', 'bad_argument']);
  assert.equal(result.past, 'bad_argument');
  assert.ok(result.unchanged, 'a refused move leaves the clock where it was');
  assert.deepEqual(result.customer, ['bad_request', 'bad_request', 'bad_request', 'bad_request', 'bad_argument'], 'as POST /sim/ answers such bodies');
  assert.notEqual(result.waiting, 'live');
  assert.deepEqual(pageErrors, []);
  await page.close();
});
