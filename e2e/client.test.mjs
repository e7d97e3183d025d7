// End to end: the package's client (its wrapper doing the engine's I/O)
// against the real server over real WebSockets, in Debian's Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a dropped socket is reopened by the wrapper and resumes: the offer made meanwhile is replayed, then the client closes its socket (SPEC N2, N3, N4)', async () => {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
  // Any page of the server's origin: the package is served beside the desk.
  await page.goto(`${server.http}/healthz`);
  const result = await page.evaluate(async ({ url, token, admin }) => {
    const { connect } = await import('/pkg/index.js');
    const until = async (what, check) => {
      for (let i = 0; i < 1500 && !check(); i++) await new Promise((done) => setTimeout(done, 20));
      if (!check()) throw new Error(`timed out waiting for ${what}`);
    };
    // While "offline", this tab's sockets go nowhere and fail at once.
    let online = true;
    const sockets = [];
    const transport = (to) => {
      const socket = new WebSocket(online ? to : 'ws://127.0.0.1:9/ws');
      sockets.push(socket);
      return socket;
    };
    const tab = await connect({ url, token, transport });
    // A second tab keeps the agent connected, so the offer is made while the first is away.
    const otherTab = await connect({ url, token });
    const states = [];
    const offers = [];
    tab.on('connection', ({ state }) => states.push(state));
    tab.on('offer', (offer) => offers.push(offer));
    await tab.login().catch(() => {});
    if (tab.view.status.id !== 'available') await tab.setStatus('available');
    await until('the other tab follows', () => otherTab.view.status.id === 'available');

    online = false;
    sockets.at(-1).close();
    await until('the drop is noticed', () => tab.connection !== 'live');
    const response = await fetch('/sim/contacts', {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ queue: 'support', channel: 'chat', from: 'resume test' }),
    });
    const placed = response.status;
    await until('the other tab gets the offer', () => otherTab.view.offers.length > 0);
    await until('a retry fails while offline', () => sockets.length >= 2 && sockets.at(-1).readyState === WebSocket.CLOSED);
    const offersWhileAway = offers.length;
    online = true;
    await until('the tab is back and the missed offer replayed', () => tab.connection === 'live' && offers.length > 0);
    await tab.decline(offers[0].id);
    const socketsOpened = sockets.length;
    // A command asked for just before close() is refused as closed, not
    // left to time out.
    const lastWord = otherTab.setStatus('lunch');
    otherTab.close();
    const refused = await lastWord.then(() => 'sent', (e) => e.code);
    tab.close();
    return { placed, offersWhileAway, from: offers[0].from, states, socketsOpened, lastSocket: sockets.at(-1).readyState, connection: tab.connection, refused };
  }, { url: server.http.replace('http', 'ws') + '/ws', token: server.token('ana', 'agent'), admin: server.token('admin', 'admin') });
  assert.equal(result.placed, 201);
  assert.equal(result.offersWhileAway, 0, 'nothing arrives while the socket is down');
  assert.equal(result.from, 'resume test', 'the missed offer is replayed on resume');
  assert.ok(result.states.includes('waiting'), `the wrapper reports the wait: ${result.states}`);
  assert.ok(result.socketsOpened >= 3, `the first socket, at least one failed retry, the one that resumed: ${result.socketsOpened}`);
  assert.ok(result.lastSocket >= 2, 'close() closes the socket (CLOSING or CLOSED)');
  assert.equal(result.connection, 'closed');
  assert.equal(result.refused, 'closed', 'a command asked for right before close() rejects with closed');
  await page.close();
});

test('a url no WebSocket can be made for reports bad_url and waits to retry, each attempt reported in order (SPEC N2)', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.http}/healthz`);
  const result = await page.evaluate(async () => {
    const { connect } = await import('/pkg/index.js');
    const client = await connect({ url: 'ftp://127.0.0.1/ws', token: 'any' });
    const seen = [];
    client.on('error', ({ code }) => seen.push(`error ${code}`));
    client.on('connection', ({ state, code }) => seen.push(`${state} ${code}`));
    // The first attempt failed inside connect() (its last report may
    // still arrive); the first retry is reported from its start.
    const retry = () => seen.slice(seen.indexOf('error bad_url'));
    for (let i = 0; i < 250 && !(seen.includes('error bad_url') && retry().length >= 3); i++) await new Promise((done) => setTimeout(done, 20));
    const state = client.connection;
    client.close();
    return { seen: retry().slice(0, 3), state };
  });
  assert.deepEqual(result.seen, ['error bad_url', 'connecting null', 'waiting 1006'], `events: ${result.seen}`);
  assert.equal(result.state, 'waiting', 'it retries later, it does not give up');
  await page.close();
});

test('a command that timed out is given up: a reconnect does not send it, so the status the page was told failed never lands (SPEC N1)', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.http}/healthz`);
  const result = await page.evaluate(async ({ url, token }) => {
    const { connect } = await import('/pkg/index.js');
    const until = async (what, check) => {
      for (let i = 0; i < 1500 && !check(); i++) await new Promise((done) => setTimeout(done, 20));
      if (!check()) throw new Error(`timed out waiting for ${what}`);
    };
    // A socket that swallows what the page sends while `deaf` (a link gone
    // quiet without closing), then is dropped by the page.
    let deaf = false;
    const sockets = [];
    const transport = (to) => {
      const ws = new WebSocket(to);
      sockets.push(ws);
      return {
        send: (text) => { if (!deaf) ws.send(text); },
        close: (code) => ws.close(code),
        addEventListener: (type, listener) => ws.addEventListener(type, listener),
        removeEventListener: (type, listener) => ws.removeEventListener(type, listener),
      };
    };
    const client = await connect({ url, token, transport, commandTimeoutMs: 500 });
    await client.login().catch(() => {});
    if (client.view.status.id !== 'available') await client.setStatus('available');
    deaf = true;
    const refused = await client.setStatus('lunch').then(() => 'applied', (e) => e.code);
    deaf = false;
    const seen = [];
    client.on('view', (view) => seen.push(view.status.id));
    sockets.at(-1).close();
    await until('the reconnect', () => sockets.length >= 2 && client.connection === 'live');
    // Answered after anything sent again on the new socket before it.
    await client.setStatus('training');
    client.close();
    return { refused, statuses: [...new Set(seen)] };
  }, { url: server.http.replace('http', 'ws') + '/ws', token: server.token('tim', 'agent') });
  assert.equal(result.refused, 'timeout');
  assert.deepEqual(result.statuses, ['available', 'training'], 'the timed-out lunch was not sent again');
  await page.close();
});

test('commands on a client already incompatible are refused at once with not_ready, not after the command timeout', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.http}/healthz`);
  const result = await page.evaluate(async ({ url, token }) => {
    const { connect } = await import('/pkg/index.js');
    // The hello claims a protocol version this server does not speak.
    const transport = (to) => {
      const ws = new WebSocket(to);
      return {
        send: (text) => ws.send(text.replace('"protocol":1', '"protocol":99')),
        close: (code) => ws.close(code),
        addEventListener: (type, listener) => ws.addEventListener(type, listener),
        removeEventListener: (type, listener) => ws.removeEventListener(type, listener),
      };
    };
    const client = await connect({ url, token, transport, commandTimeoutMs: 60_000 });
    for (let i = 0; i < 250 && client.connection !== 'incompatible'; i++) await new Promise((done) => setTimeout(done, 20));
    const state = client.connection;
    const late = new Promise((done) => setTimeout(() => done('still waiting after 5 s'), 5_000));
    const refused = await Promise.race([client.login().then(() => 'sent', (e) => e.code), late]);
    client.close();
    return { state, refused };
  }, { url: server.http.replace('http', 'ws') + '/ws', token: server.token('ina', 'agent') });
  assert.equal(result.state, 'incompatible');
  assert.equal(result.refused, 'not_ready');
  await page.close();
});

test('a page that floods reads why it was closed (error rate_limited, then 4008), not a dropped connection (SPEC N8)', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.http}/healthz`);
  const closes = await page.evaluate(async ({ url, tokens }) => {
    const results = [];
    for (const token of tokens) {
      const socket = new WebSocket(url);
      let error = null;
      socket.onmessage = ({ data }) => { error = JSON.parse(data).error?.code ?? error; };
      await new Promise((done) => { socket.onopen = done; });
      socket.send(JSON.stringify({ hello: { token, resume: null, protocol: 1 } }));
      await new Promise((done) => setTimeout(done, 200));
      const closed = new Promise((done) => { socket.onclose = ({ code }) => done(code); });
      for (let i = 0; i < 100; i++) socket.send(JSON.stringify({ command: { id: `c${i}`, kind: 'present' } }));
      results.push(`${await closed} ${error}`);
    }
    return results;
  }, { url: server.http.replace('http', 'ws') + '/ws', tokens: ['fa', 'fb', 'fc', 'fd', 'fe', 'ff'].map((user) => server.token(user, 'agent')) });
  assert.deepEqual(closes, Array(6).fill('4008 rate_limited'));
  await page.close();
});
