// End to end: an outbound campaign in push preview (SPEC P1-P8, W1-W7)
// worked in the <ringside-agent> element against the real server. The
// campaign and its calling list come in through the admin API; the server's
// simulated dialler answers by the last digit of the number (7 busy, any of
// 1-6 answers). Ana works in Tokyo time while the server keeps UTC, so the
// callback time crosses zones. Screenshots go to artifacts/e2e/campaign-*.
// Besides the happy path: a refusal of the server shown with its code, a
// callback time in the past that keeps done refused (W4), and the callback's
// sounds through the element's playSound hook (W6).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { expectAccessible, launchChromium, shots, startServer } from './harness.mjs';

const CAMPAIGN = 'renewals-e2e';
const SOUNDS = { offered: '/sounds/callback-offered.ogg', held: '/sounds/callback-held.ogg', retrieved: '/sounds/callback-retrieved.ogg', ended: '/sounds/callback-ended.ogg' };
// Ada's first number does not answer (8); the chained 555 0102 answers (2).
// Bo's number is busy (7); the third record is Bo again, written otherwise.
const CSV = `name,number,chained,plan,city
Ada Lind,+46 8 555 0108,555 0102|+46 70 555 0103,basic,Stockholm
Bo Ek,+46 8 555 0177,,plus,Malmö
Bo Ek (work),+46 (8) 555-0177,,gold,Malmö
`;

let server;
let browser;
let admin;

before(async () => {
  server = await startServer({ voiceTimeoutMs: 20_000 });
  browser = await launchChromium();
  admin = server.token('root', 'admin');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The admin API: `{ status, body }`, the body parsed when it is JSON. */
async function api(method, path, body, type = 'application/json') {
  const response = await fetch(`${server.http}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, ...(body === undefined ? {} : { 'content-type': type }) },
    body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body,
  });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json');
  return { status: response.status, body: json && text ? JSON.parse(text) : text };
}

const records = async (status) => {
  const reply = await api('GET', `/admin/campaigns/${CAMPAIGN}/records?status=${status}&limit=50`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body.records;
};

async function desk(user, { media = [], timezoneId, loginShot, sim = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, timezoneId, locale: 'en-GB' });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${user}] page error:`, error));
  await page.addInitScript(() => {
    // Sounds are recorded, not played (the element's overridable hook, W6).
    window.__sounds = [];
    customElements.whenDefined('ringside-agent').then(() => {
      const element = document.querySelector('ringside-agent');
      if (element) element.playSound = (sound, event, card) => window.__sounds.push({ sound, event, record: card.record.id, at: Date.now() });
    });
  });
  await page.goto(`${server.http}/#token=${server.token(user, 'agent')}${sim ? `&sim=${admin}` : ''}`);
  await page.locator('ringside-agent button[data-action="login"]').waitFor();
  for (const channel of media) await page.locator(`ringside-agent input[name="preview-media"][value="${channel}"]`).check();
  if (loginShot) await shot(page, loginShot);
  await page.locator('ringside-agent button[data-action="login"]').click();
  await page.locator('ringside-agent #status').selectOption('available');
  await page.waitForFunction(() => document.querySelector('ringside-agent').shadowRoot.getElementById('status-label')?.textContent === 'Available');
  return page;
}

const shot = (page, file) => page.screenshot({ path: join(shots, file), fullPage: true });
const card = (page) => page.locator('ringside-agent [data-record-card]');
const act = (page, action, extra = '') => card(page).locator(`button[data-action="${action}"]${extra}`).first();
/** Waits until the first campaign record in the view passes `test`. */
const until = (page, test, arg) => page.waitForFunction(
  ([source, value]) => {
    const item = document.querySelector('ringside-agent').client?.view.outbound[0];
    return item ? new Function('o', 'arg', `return (${source})(o, arg)`)(item, value) : false;
  },
  [test.toString(), arg],
);
const outbound = (page) => page.evaluate(() => document.querySelector('ringside-agent').client.view.outbound[0] ?? null);

test('a campaign in push preview, worked in the element from preview to personal callback, with do-not-call (SPEC P1-P8, SPEC W1-W7)', async () => {
  // The campaign, its list and its start, through the admin API.
  const saved = await api('PUT', `/admin/campaigns/${CAMPAIGN}`, {
    name: 'Contract renewals', media: ['voice'], agents: ['ana'], accept_timeout_ms: 60_000, conference_limit: 3,
    stale_limit_ms: 120_000, results: ['answered', 'no_answer', 'busy', 'wrong_number', 'renewed', 'not_interested'],
    disposition_required: true, reschedule_before_dial: true, sounds: SOUNDS, fields: ['plan', 'city'],
  });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  assert.equal(saved.body.campaign.id, CAMPAIGN);
  const bad = await api('POST', `/admin/campaigns/${CAMPAIGN}/records`, 'name,number\nAda Lind,\nBo Ek,+46 8 555 0177\n', 'text/csv');
  assert.equal(bad.status, 422);
  assert.equal(bad.body.code, 'bad_csv');
  assert.deepEqual(bad.body.errors.map((e) => e.line), [2], 'the bad line is named; nothing is imported');
  const imported = await api('POST', `/admin/campaigns/${CAMPAIGN}/records`, CSV, 'text/csv');
  assert.equal(imported.status, 201, JSON.stringify(imported.body));
  assert.deepEqual(imported.body, { imported: 3 });
  assert.equal((await records('ready')).length, 3);
  assert.equal((await api('POST', `/admin/campaigns/${CAMPAIGN}/start`)).status, 200);

  // SPEC P1, P2: Ana chooses voice at login; the first record is pushed to
  // her as a preview and the campaign indicator flashes.
  const ana = await desk('ana', { media: ['voice'], timezoneId: 'Asia/Tokyo', loginShot: 'campaign-00-login-preview-media.png' });
  await ana.locator('ringside-agent #campaign-indicator[data-flashing]').waitFor();
  await card(ana).waitFor();
  assert.deepEqual(await ana.evaluate(() => document.querySelector('ringside-agent').client.view.preview_media), ['voice']);
  assert.match(await card(ana).locator('.contact-name').textContent(), /Ada Lind/);
  assert.equal(await card(ana).locator('.origin').textContent(), 'Campaign');
  assert.equal(await card(ana).locator('[data-field-value="plan"]').textContent(), 'basic');
  assert.equal(await card(ana).locator('.chain li').count(), 3);
  assert.equal(await card(ana).locator('.chain li[aria-current]').getAttribute('data-index'), '0');
  // The engine's server clock never runs ahead: 01:01 can show for an instant.
  assert.match(await card(ana).locator('.remaining').textContent(), /^0[01]:\d\d$/);
  await ana.waitForFunction(() => /New campaign preview: Ada Lind/.test(document.querySelector('ringside-agent').shadowRoot.getElementById('live').textContent));
  assert.equal(await act(ana, 'dial').count(), 0, 'no connect before accept');
  await shot(ana, 'campaign-01-preview-flashing.png');
  await expectAccessible(ana, 'a campaign preview card, flashing');

  // SPEC P3: accept takes ownership; the indicator stops flashing.
  await act(ana, 'accept-preview').click();
  await until(ana, (o) => o.record.status === 'owned');
  assert.equal(await ana.locator('ringside-agent #campaign-indicator[data-flashing]').count(), 0);
  const focused = () => ana.evaluate(() => {
    const active = document.querySelector('ringside-agent').shadowRoot.activeElement;
    return active ? `${active.localName}.${active.className}:${active.getAttribute('data-action') ?? ''}` : null;
  });
  assert.equal(await focused(), 'button.:dial', 'Connect takes over from Accept');

  // SPEC P4: another chained record made active; campaign data edited and
  // saved to the list before dialling.
  await card(ana).locator('.chain li[data-index="1"] button[data-action="set-active"]').click();
  await card(ana).locator('.chain li[data-index="1"][aria-current]').waitFor();
  assert.equal(await card(ana).locator('.dial-number').inputValue(), '555 0102');
  await act(ana, 'open-form', '[data-form="edit"]').click();
  await card(ana).locator('input[data-field="plan"]').fill('gold');
  await act(ana, 'edit-record').click();
  await until(ana, (o) => o.record.fields.plan === 'gold');
  await act(ana, 'update-record').click();
  await shot(ana, 'campaign-02-accepted-chained-active.png');

  // SPEC P4: the number edited (an area code added), then connect.
  await card(ana).locator('.dial-number').fill('08 555 0102');
  await act(ana, 'dial').click();
  await until(ana, (o) => o.record.status === 'connected');
  await card(ana).locator('[data-interaction] .call-state', { hasText: 'connected' }).waitFor();
  assert.equal(await card(ana).locator('.dialled .number').textContent(), '08 555 0102');
  assert.equal(await ana.locator('ringside-agent section[aria-label="Interactions"] [data-interaction]').count(), 0, 'the call is shown once, in its record');
  await shot(ana, 'campaign-03-connected.png');

  // SPEC P5: a conference of three: Ben, available without preview media,
  // accepts the request in his own page; the limit is then reached.
  const ben = await desk('ben');
  assert.equal(await ben.locator('ringside-agent #campaign-indicator').count(), 0, 'no campaign bar without preview media');
  await card(ana).locator('button[data-action="open-target"][data-purpose="conference"]').click();
  await card(ana).locator('.target-kind').selectOption('agent');
  await card(ana).locator('.target-value').fill('ben');
  await card(ana).locator('button[data-action="send-target"]').click();
  await ben.locator('ringside-agent [data-offer] button[data-action="accept"]').click();
  await ben.locator('ringside-agent [data-interaction]').waitFor();
  await ana.waitForFunction(() => document.querySelector('ringside-agent').shadowRoot.querySelectorAll('[data-record-card] .participants li').length === 3);
  assert.equal(await card(ana).locator('button[data-purpose="conference"]').count(), 0, 'three on the call: the campaign limit');
  await shot(ana, 'campaign-04-conference-of-three.png');
  await shot(ben, 'campaign-05-conference-ben.png');

  // Disconnect: the record goes to after-call; mark done needs a call result (P7).
  await card(ana).locator('[data-interaction] button[data-action="end"]').click();
  await until(ana, (o) => o.record.status === 'after_call');
  await ben.locator('ringside-agent button[data-action="done"]').waitFor();
  const code = ben.locator('ringside-agent select[data-code-for]');
  if (await code.count()) await code.selectOption({ index: 1 });
  await ben.locator('ringside-agent button[data-action="done"]').click();
  await ben.locator('ringside-agent [data-interaction]').waitFor({ state: 'detached' });
  assert.ok(await act(ana, 'mark-done').isDisabled());
  assert.equal(await card(ana).locator('.hint').getAttribute('data-code'), 'call_result_required');
  assert.match(await card(ana).locator('.hint').textContent(), /^[A-Z]/, 'a sentence for the agent, without the command\'s name');
  await card(ana).locator('select.call-result').focus();
  await card(ana).locator('select.call-result').selectOption('renewed');
  await until(ana, (o) => o.record.result === 'renewed');
  assert.equal(await focused(), 'select.call-result:', 'the focus stays on the call result, not on a button of the record');
  assert.ok(!(await act(ana, 'mark-done').isDisabled()));
  await shot(ana, 'campaign-06-call-result.png');
  await expectAccessible(ana, 'a campaign record after the call');

  // SPEC W2: a personal callback a few seconds ahead, entered in Ana's
  // local time (Tokyo) and sent as UTC milliseconds.
  await act(ana, 'open-form', '[data-form="reschedule"]').click();
  const wanted = await ana.evaluate(() => {
    let at = Math.floor((Date.now() + 16_000) / 1000) * 1000;
    if (new Date(at).getSeconds() === 0) at += 1000; // the input shows seconds only when not zero
    const d = new Date(at);
    const two = (n) => String(n).padStart(2, '0');
    return { at, local: `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`, shown: d.toLocaleString() };
  });
  assert.equal(new Date(wanted.at).toISOString().slice(11, 13) !== wanted.local.slice(11, 13), true, 'Tokyo is not UTC');
  await card(ana).locator('.callback-at').fill(wanted.local);
  assert.ok(await card(ana).locator('input.callback-kind[value="personal"]').isChecked());
  await act(ana, 'reschedule').click();
  await until(ana, (o, at) => o.record.schedule?.at === at && o.record.schedule.kind === 'personal', wanted.at);
  assert.equal(await card(ana).locator('.schedule time').textContent(), wanted.shown);
  assert.equal(await act(ana, 'cancel-reschedule').count(), 1);
  await shot(ana, 'campaign-07-personal-callback-set.png');
  await expectAccessible(ana, 'a campaign record with its callback');

  // SPEC W1: mark done; the callback waits in the list, and the next
  // record is previewed at once.
  await act(ana, 'mark-done', '[data-stop="false"]').click();
  await until(ana, (o) => o.record.name === 'Bo Ek');
  const [scheduled] = await records('scheduled');
  assert.equal(scheduled.name, 'Ada Lind');
  assert.equal(scheduled.schedule.at, wanted.at, 'the list holds the callback in UTC');
  assert.equal(scheduled.schedule.kind, 'personal');
  assert.equal(scheduled.fields.plan, 'gold', 'the edited data reached the list');
  assert.equal(scheduled.result, 'renewed');

  // A refusal of the server shows with its code: Zed is no agent of the
  // campaign (P4 transfer).
  await act(ana, 'accept-preview').click();
  await until(ana, (o) => o.record.status === 'owned');
  await act(ana, 'open-form', '[data-form="transfer"]').click();
  await card(ana).locator('.transfer-agent').fill('zed');
  await act(ana, 'transfer-record').click();
  await ana.locator('ringside-agent .toast[data-code="target_unavailable"]').waitFor();
  assert.equal((await outbound(ana)).record.status, 'owned', 'nothing changed');
  await act(ana, 'close-form').click();

  // SPEC P6: Bo's number is busy.
  await act(ana, 'dial').click();
  await until(ana, (o) => o.record.status === 'after_call');
  assert.equal(await card(ana).locator('.dial-outcome').textContent(), 'busy');

  // SPEC W4, W3: a callback time in the past keeps done refused, with the
  // reason shown, until the callback is cancelled.
  const past = await ana.evaluate(() => {
    let at = Math.floor((Date.now() - 120_000) / 1000) * 1000;
    if (new Date(at).getSeconds() === 0) at -= 1000;
    const d = new Date(at);
    const two = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  });
  await act(ana, 'open-form', '[data-form="reschedule"]').click();
  await card(ana).locator('.callback-at').fill(past);
  await card(ana).locator('input.callback-kind[value="campaign"]').check();
  await act(ana, 'reschedule').click();
  await until(ana, (o) => o.record.schedule?.kind === 'campaign');
  assert.equal(await card(ana).locator('.hint').getAttribute('data-code'), 'reschedule_in_past');
  assert.ok(await act(ana, 'mark-done').isDisabled());
  await shot(ana, 'campaign-08-callback-in-the-past.png');
  await act(ana, 'cancel-reschedule').click();
  await until(ana, (o) => o.record.schedule === null);
  assert.equal((await outbound(ana)).record.result, 'busy', 'the dial outcome is the suggested call result');
  assert.equal(await card(ana).locator('.hint').count(), 0);
  assert.ok(!(await act(ana, 'mark-done').isDisabled()));

  // SPEC P6: Ana marks Bo do-not-call, which takes him off the list under
  // either way of writing his number.
  await card(ana).locator('input.do-not-call').check();
  await until(ana, (o) => o.do_not_call);
  assert.ok(await card(ana).locator('input.do-not-call').isDisabled(), 'do-not-call cannot be undone');
  await card(ana).locator('select.call-result').selectOption('not_interested');
  await until(ana, (o) => o.record.result === 'not_interested');
  await shot(ana, 'campaign-09-do-not-call.png');
  await act(ana, 'mark-done', '[data-stop="false"]').click();
  await card(ana).waitFor({ state: 'detached' });
  const barred = await records('do_not_call');
  assert.deepEqual(barred.map((r) => r.name).sort(), ['Bo Ek', 'Bo Ek (work)']);
  assert.deepEqual(await records('ready'), [], 'nothing left to preview: Bo is never previewed again');

  // SPEC W5, W6: at its time the callback comes back to Ana, origin
  // personal callback, with its stale countdown and its sound.
  await card(ana).waitFor({ timeout: 25_000 });
  const back = await outbound(ana);
  const arrived = Date.now();
  assert.equal(back.record.name, 'Ada Lind');
  assert.equal(back.origin, 'personal_callback');
  assert.ok(arrived >= wanted.at - 250, `offered ${wanted.at - arrived} ms before its time`);
  assert.equal(await card(ana).locator('.origin').textContent(), 'Personal callback');
  assert.match(await card(ana).locator('.stale-in').textContent(), /^0[12]:\d\d$/);
  await ana.locator('ringside-agent #campaign-indicator[data-flashing]').waitFor();
  assert.deepEqual(await ana.evaluate(() => window.__sounds.map((s) => [s.event, s.sound])), [['offered', SOUNDS.offered]]);
  await shot(ana, 'campaign-10-personal-callback-back.png');

  // SPEC W6: held, retrieved and ended on the callback's call each play
  // their own sound.
  await act(ana, 'accept-preview').click();
  await until(ana, (o) => o.record.status === 'owned');
  assert.equal(await card(ana).locator('.dial-number').inputValue(), '555 0102', 'the active number is kept');
  await act(ana, 'dial').click();
  await until(ana, (o) => o.record.status === 'connected');
  await card(ana).locator('[data-interaction] button[data-action="hold"]').click();
  await card(ana).locator('[data-interaction] button[data-action="resume"]').click();
  await card(ana).locator('[data-interaction] button[data-action="hold"]').waitFor();
  await card(ana).locator('[data-interaction] button[data-action="end"]').click();
  await until(ana, (o) => o.record.status === 'after_call');
  assert.deepEqual(await ana.evaluate(() => window.__sounds.map((s) => s.event)), ['offered', 'held', 'retrieved', 'ended']);

  // SPEC W1: done and stop; no preview until "get record".
  await card(ana).locator('select.call-result').selectOption('answered');
  await until(ana, (o) => o.record.result === 'answered');
  await act(ana, 'mark-done', '[data-stop="true"]').click();
  await card(ana).waitFor({ state: 'detached' });
  await ana.locator('ringside-agent button[data-action="get-record"]').waitFor();
  assert.match(await ana.locator('ringside-agent #preview-media').textContent(), /stopped/);
  await shot(ana, 'campaign-11-done-and-stop.png');
  await ana.locator('ringside-agent button[data-action="get-record"]').click();
  await ana.locator('ringside-agent button[data-action="get-record"]').waitFor({ state: 'detached' });
  assert.deepEqual((await records('done')).map((r) => r.name), ['Ada Lind']);
});

test('a number ending in 0 rings until the demo desk\'s simulator answers it (SPEC P4, SPEC P5)', async () => {
  const campaign = 'ring-e2e';
  assert.equal((await api('PUT', `/admin/campaigns/${campaign}`, { name: 'Win-back', agents: ['dan'] })).status, 200);
  assert.equal((await api('POST', `/admin/campaigns/${campaign}/records`, 'name,number\nEva Berg,+46 8 555 0110\n', 'text/csv')).status, 201);
  assert.equal((await api('POST', `/admin/campaigns/${campaign}/start`)).status, 200);
  const dan = await desk('dan', { media: ['voice'], sim: true });
  await act(dan, 'accept-preview').click();
  await until(dan, (o) => o.record.status === 'owned');
  await act(dan, 'dial').click();
  await until(dan, (o) => o.record.status === 'dialling');
  const row = dan.locator('#sim-state tr', { hasText: 'dialled by dan' });
  assert.match(await row.textContent(), /\+46 8 555 0110/);
  await shot(dan, 'campaign-12-simulator-rings.png');
  await row.locator('button[data-outcome="answered"]').click();
  await until(dan, (o) => o.record.status === 'connected');
  await card(dan).locator('[data-interaction] button[data-action="end"]').click();
  await until(dan, (o) => o.record.status === 'after_call' && o.dial_outcome === 'answered');
  await act(dan, 'mark-done', '[data-stop="false"]').click();
  await card(dan).waitFor({ state: 'detached' });
  assert.deepEqual((await records('done')).map((r) => r.name), ['Ada Lind'], 'the other campaign is untouched');
  const done = await api('GET', `/admin/campaigns/${campaign}/records?status=done`);
  assert.deepEqual(done.body.records.map((r) => r.name), ['Eva Berg']);

  // SPEC P1: the next login starts from the last choice of media, and
  // unticking every box clears it.
  await dan.locator('ringside-agent button[data-action="logout"]').click();
  const voice = dan.locator('ringside-agent input[name="preview-media"][value="voice"]');
  assert.ok(await voice.isChecked(), 'the last choice is ticked');
  await voice.uncheck();
  await dan.locator('ringside-agent button[data-action="login"]').click();
  await dan.waitForFunction(() => document.querySelector('ringside-agent').client.view.preview_media.length === 0);
});
