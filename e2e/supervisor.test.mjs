// End to end: the supervisor desk in the element against the real server,
// with team `north` (ana, ben, cy, sue) from the config's directory: the
// live roster of several agents changing state, the queue tiles reacting
// to contacts placed through the simulator API, monitoring then barging
// in on ana's call, logging an agent out, and the timeline chart of the
// day's statuses. Screenshots go to artifacts/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { expectAccessible, launchChromium, shots, startServer } from './harness.mjs';

// The contact_center catalogue, with secondary statuses for Lunch (S6) and
// colours that tell the statuses apart on the timeline.
const PROFILE = `monitoring_visible = true
statuses = [
  { id = "available", label = "Available", colour = "#2e7d32", category = "available", routable = true },
  { id = "idle", label = "Idle", colour = "#f9a825", category = "idle", direct_calls = "voicemail" },
  { id = "training", label = "Training", colour = "#1565c0", category = "idle", direct_calls = "voicemail" },
  { id = "lunch", label = "Lunch", colour = "#8d6e63", category = "idle", direct_calls = "voicemail", secondary = [{ id = "canteen", label = "Canteen" }, { id = "outside", label = "Outside" }], secondary_required = true },
  { id = "rona", label = "RONA", colour = "#ef6c00", category = "away", direct_calls = "voicemail", system_only = true },
  { id = "away_auto", label = "Away (inactive)", colour = "#f9a825", category = "idle", direct_calls = "voicemail", system_only = true },
  { id = "offline", label = "Offline", colour = "#757575", category = "offline", direct_calls = "voicemail", system_only = true },
]`;

const DIRECTORY = `
[directory.teams.north]
label = "North"
[directory.members.ana]
teams = ["north"]
queues = { support = 7 }
[directory.members.ben]
teams = ["north"]
queues = { support = 5, sales = 1 }
[directory.members.cy]
teams = ["north"]
queues = { sales = 9 }
[directory.members.sue]
teams = ["north"]
`;

let server;
let browser;
const pages = {};
/** What each page's socket received, with the time. */
const received = new Map();

before(async () => {
  server = await startServer({ voiceTimeoutMs: 60_000, profile: PROFILE, directory: DIRECTORY });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens `user`'s desk and logs in. */
async function desk(user, role = 'agent') {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('pageerror', (error) => console.error(`[${user}] page error:`, error));
  const frames = [];
  received.set(page, frames);
  page.on('websocket', (ws) => ws.on('framereceived', (frame) => frames.push({ at: Date.now(), text: String(frame.payload) })));
  await page.goto(`${server.http}/#token=${server.token(user, role)}`);
  await page.locator('ringside-agent button[data-action="login"]').click();
  await page.locator('ringside-agent #status').waitFor();
  pages[user] = page;
  return page;
}

const row = (page, user) => page.locator(`ringside-agent tr[data-user="${user}"]`);
const tile = (page, queue) => page.locator(`ringside-agent [data-queue="${queue}"]`);
const shot = (page, file) => page.screenshot({ path: join(shots, file), fullPage: true });
/** Waits until `check(shadowRoot of the element)` is true. */
const until = (page, check, arg, options) => page.waitForFunction(([source, a]) => {
  const root = document.querySelector('ringside-agent')?.shadowRoot;
  return root && new Function('root', 'arg', `return (${source})(root, arg)`)(root, a);
}, [check.toString(), arg], options);

const rowShows = (page, user, label) => until(page, (root, [u, l]) => root.querySelector(`tr[data-user="${u}"] .roster-status`)?.textContent === l, [user, label]);

/** Chooses a status in the desk's list, then its secondary status in the list that comes beside it (S6). */
async function choose(page, status, secondary) {
  const list = page.locator('ringside-agent #status');
  if ((await list.inputValue()) !== status) await list.selectOption(status);
  if (secondary) await page.locator('ringside-agent #secondary').selectOption(secondary);
}

async function sim(path, body) {
  const response = await fetch(`${server.http}/sim${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token('admin', 'admin')}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

test('the supervisor desk shows the team live: statuses with secondary statuses, timers that tick without the server, activity (SPEC S6, SPEC S12, SPEC T7)', async () => {
  const sue = await desk('sue', 'supervisor');
  await row(sue, 'cy').waitFor();
  assert.deepEqual(await sue.locator('ringside-agent tr[data-user]').evaluateAll((rows) => rows.map((r) => r.dataset.user)),
    ['ana', 'ben', 'cy', 'sue'], 'the team, in id order');
  const ana = await desk('ana');
  const ben = await desk('ben');
  const cy = await desk('cy');
  await choose(ana, 'available');
  // Lunch needs a reason: choosing it alone changes nothing yet.
  await choose(ben, 'lunch');
  assert.equal(await ben.locator('ringside-agent #status-label').textContent(), 'Idle', 'not before the reason');
  await ben.locator('ringside-agent #secondary').selectOption('canteen');
  await ben.locator('ringside-agent #status-secondary:text("· Canteen")').waitFor();
  await choose(cy, 'training');
  await rowShows(sue, 'ana', 'Available');
  await rowShows(sue, 'ben', 'Lunch');
  await rowShows(sue, 'cy', 'Training');
  assert.match(await row(sue, 'ben').textContent(), /· Canteen/, 'a supervisor sees the secondary status by its label (S6)');
  assert.match(await row(sue, 'ben').locator('.queues').textContent(), /sales 1/, 'and the queue memberships');
  await rowShows(ana, 'ben', 'Lunch');
  assert.doesNotMatch(await row(ana, 'ben').textContent(), /canteen/, 'an agent sees only the primary status (S6)');
  assert.equal(await row(ana, 'ben').locator('button').count(), 0, 'an agent gets no supervisor actions');
  assert.equal(await ana.locator('ringside-agent [data-queue]').count(), 0, 'nor queue tiles');

  // SPEC T7: the state timer ticks from `since` while nothing comes from the server.
  const timer = row(sue, 'ana').locator('.status-timer');
  const before = await timer.textContent();
  const quietFrom = Date.now();
  await until(sue, (root, text) => root.querySelector('tr[data-user="ana"] .status-timer')?.textContent !== text, before);
  const after = await timer.textContent();
  const frames = received.get(sue).filter((f) => f.at >= quietFrom && !f.text.startsWith('{"pong"'));
  assert.notEqual(after, before);
  assert.deepEqual(frames, [], `the timer went ${before} -> ${after} with no frame from the server`);
  await shot(sue, 'supervisor-01-roster.png');
  await expectAccessible(sue, 'the supervisor desk');
});

test('a contact that waits with nobody to take it shows on the queue tile at once (SPEC S6)', async () => {
  const { sue } = pages;
  await tile(sue, 'sales').waitFor();
  assert.match(await tile(sue, 'sales').textContent(), /0\s+waiting/);
  // Nobody serving sales is routable (ben at lunch, cy in training): the contact waits.
  await sim('/contacts', { queue: 'sales', channel: 'voice', from: '+46 8 555 0142' });
  await until(sue, (root) => root.querySelector('[data-queue="sales"] .waiting')?.textContent === '1', null, { timeout: 3_000 }).catch(() => {});
  assert.equal(await tile(sue, 'sales').locator('.waiting').textContent(), '1');
});

test('queue tiles follow the floor: waiting, a longest wait that ticks, agents available, and an agent taking the contact (SPEC S6)', async () => {
  const { sue, ben, cy } = pages;
  assert.match(await tile(sue, 'support').textContent(), /1\s+available/, 'ana serves support and is available');
  await choose(ben, 'lunch', 'outside');
  await until(sue, (root) => root.querySelector('[data-queue="sales"] .waiting')?.textContent === '1');
  await until(sue, (root) => /^\d\d:\d\d$/.test(root.querySelector('[data-queue="sales"] .wait-timer')?.textContent ?? ''));
  await shot(sue, 'supervisor-02-queue-waiting.png');
  await choose(cy, 'available');
  await cy.locator('ringside-agent [data-offer] button[data-action="accept"]').click();
  await until(sue, (root) => root.querySelector('[data-queue="sales"] .waiting')?.textContent === '0');
  await until(sue, (root) => /Engaged · On a call/.test(root.querySelector('tr[data-user="cy"] .activity')?.textContent ?? ''));
  // cy's call ends and is done, so cy is free again.
  await cy.locator('ringside-agent button[data-action="end"]').click();
  await cy.locator('ringside-agent select[data-code-for]').selectOption('resolved');
  await cy.locator('ringside-agent button[data-action="done"]').click();
  await cy.locator('ringside-agent [data-interaction]').waitFor({ state: 'detached' });
});

test('a supervisor monitors ana\'s call, pauses, resumes, barges in and is on the call at ana\'s side, then stops (SPEC M1)', async () => {
  const { sue, ana } = pages;
  await sim('/contacts', { queue: 'support', channel: 'voice', from: '+46 8 555 0177' });
  await ana.locator('ringside-agent [data-offer] button[data-action="accept"]').click();
  const monitor = row(sue, 'ana').locator('button[data-action="monitor"]');
  await monitor.waitFor();
  assert.equal(await row(sue, 'ana').locator('[data-work] .work-timer').count(), 1, 'the call with its timer');
  await monitor.click();
  const state = row(sue, 'ana').locator('.monitoring-state');
  await state.waitFor();
  assert.equal(await state.textContent(), 'Monitoring');
  await ana.locator('ringside-agent .monitored').waitFor(); // the profile shows monitoring to agents
  await row(sue, 'ana').locator('button[data-action="pause-monitoring"]').click();
  await row(sue, 'ana').locator('.monitoring-state[data-state="monitoring_paused"]').waitFor();
  assert.equal(await state.textContent(), 'Monitoring paused');
  await row(sue, 'ana').locator('button[data-action="resume-monitoring"]').click();
  await row(sue, 'ana').locator('.monitoring-state[data-state="monitoring"]').waitFor();
  await row(sue, 'ana').locator('button[data-action="barge-in"]').click();
  await row(sue, 'ana').locator('.monitoring-state[data-mode="barge_in"]').waitFor();
  assert.equal(await state.textContent(), 'Barged in');
  await until(ana, (root) => [...root.querySelectorAll('[data-interaction] .participants li')].some((li) => li.textContent.includes('sue (supervisor)')));
  const names = (await ana.locator('ringside-agent [data-interaction] .participants li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  assert.ok(names.some((n) => n.startsWith('Customer')) && names.some((n) => n.startsWith('ana (you)')), names.join(' | '));
  await shot(sue, 'supervisor-03-barged-in.png');
  await expectAccessible(sue, 'the supervisor desk, barged in');
  await shot(ana, 'supervisor-04-agent-with-supervisor.png');

  await row(sue, 'ana').locator('button[data-action="stop-monitoring"]').click();
  await state.waitFor({ state: 'detached' });
  await until(ana, (root) => ![...root.querySelectorAll('[data-interaction] .participants li')].some((li) => li.textContent.includes('sue')));
  await monitor.waitFor(); // offered again
});

test('a supervisor logs out an idle agent; an agent on a call is refused with a clear error (SPEC S9)', async () => {
  const { sue, ana, ben } = pages;
  assert.equal(await row(sue, 'ana').locator('button[data-action="logout-agent"]').count(), 0, 'no Log out for an agent on a call (S9)');
  const refused = await sue.evaluate(() => document.querySelector('ringside-agent').client.logoutAgent('ana').then(() => 'done', (e) => e.code));
  assert.equal(refused, 'logout_not_allowed', 'and the server refuses it if asked');
  await row(sue, 'ben').locator('button[data-action="logout-agent"]').click();
  await until(sue, (root) => /Logged out/.test(root.querySelector('tr[data-user="ben"] .activity')?.textContent ?? ''));
  await ben.locator('ringside-agent button[data-action="login"]').waitFor();
  // ana's call ends and is done.
  await ana.locator('ringside-agent button[data-action="end"]').click();
  await ana.locator('ringside-agent select[data-code-for]').selectOption('resolved');
  await ana.locator('ringside-agent button[data-action="done"]').click();
  await until(sue, (root) => root.querySelectorAll('tr[data-user="ana"] [data-work]').length === 0);
});

test('the timeline charts the day\'s statuses of the team, one lane per agent, with status, secondary and times on hover (SPEC S6)', async () => {
  const { sue } = pages;
  await sue.locator('#timeline-chart svg').waitFor();
  await sue.locator('#timeline-range').selectOption('five');
  await sue.waitForFunction(() => document.querySelectorAll('#timeline-chart .lane').length === 4
    && document.querySelector('#timeline-chart .lane[data-user="ben"] .segment[data-status="offline"]'));
  const lanes = await sue.locator('#timeline-chart .lane').evaluateAll((gs) => gs.map((g) => g.dataset.user));
  assert.deepEqual(lanes, ['ana', 'ben', 'cy', 'sue']);
  const lunch = sue.locator('#timeline-chart .lane[data-user="ben"] .segment[data-status="lunch"]').first();
  assert.match(await lunch.locator('title').textContent(), /^ben: Lunch \(canteen\), \d\d:\d\d:\d\d–\d\d:\d\d:\d\d$/);
  assert.equal(await sue.locator('#timeline-chart .lane[data-user="ben"] .segment[data-status="lunch"]').count(), 2, 'canteen, then outside');
  const cy = await sue.locator('#timeline-chart .lane[data-user="cy"] .segment').evaluateAll((rects) => rects.map((r) => r.dataset.status));
  assert.ok(cy.includes('training') && cy.includes('available'), `cy's statuses: ${cy.join(', ')}`);
  assert.ok(await sue.locator('#timeline-chart .axis text').count() >= 2, 'an axis with ticks');
  assert.match(await sue.locator('#timeline-chart svg').getAttribute('aria-label'), /^Statuses from \d{4}-\d\d-\d\d \d\d:\d\d to \d{4}-\d\d-\d\d \d\d:\d\d$/,
    'the label dates both ends, so a day-long range does not read "from 18:52 to 18:52"');
  await lunch.hover();
  const tooltip = sue.locator('#timeline-chart [role="tooltip"]');
  await tooltip.waitFor();
  assert.match(await tooltip.textContent(), /Lunch \(canteen\)/);
  await sue.locator('#timeline').scrollIntoViewIfNeeded();
  await shot(sue, 'supervisor-05-timeline.png');
  await expectAccessible(sue, 'the supervisor desk with the timeline');
  // Any range, up to the report's 31 days, gets 2 to 12 ticks, both ends
  // on round local times included; past a day they are dated.
  const counts = await sue.evaluate(async () => {
    const { drawTimeline } = await import('/pkg/timeline.js');
    const midnight = new Date(2030, 0, 1).getTime();
    const out = [];
    for (const hours of [1, 12, 24, 48, 12 * 24, 24 * 24, 31 * 24]) {
      const target = document.createElement('div');
      const to = midnight + hours * 3_600_000;
      drawTimeline(target, { from: midnight, to, rows: [] }, { now: to });
      const labels = [...target.querySelectorAll('.axis text')].map((t) => t.textContent);
      out.push({ hours, ticks: labels.length, dated: !labels[0].includes(':') });
    }
    return out;
  });
  for (const { hours, ticks } of counts) assert.ok(ticks >= 2 && ticks <= 12, `${hours} h: ${ticks} ticks`);
  assert.deepEqual(counts.map((c) => c.dated), [false, false, false, false, true, true, true], 'dated once the ticks are a day or more apart');
});

test('a status report that cannot be had rejects with report_failed: no answer, or an answer that is not a report', async () => {
  const { sue } = pages;
  // A proxy's login page in place of the report.
  await sue.route('**/reports/status*', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<html>Sign in</html>' }));
  const codes = await sue.evaluate(async ({ token }) => {
    const { fetchStatusReport, showStatusTimeline } = await import('/pkg/timeline.js');
    const range = { token, team: 'north', from: Date.now() - 3_600_000, to: Date.now() };
    const code = (promise) => promise.then(() => 'resolved', (error) => error.code);
    return {
      unreachable: await code(fetchStatusReport({ ...range, origin: 'http://127.0.0.1:9' })),
      notReport: await code(fetchStatusReport(range)),
      shown: await code(showStatusTimeline(document.createElement('div'), range)),
    };
  }, { token: server.token('sue', 'supervisor') });
  await sue.unroute('**/reports/status*');
  assert.deepEqual(codes, { unreachable: 'report_failed', notReport: 'report_failed', shown: 'report_failed' });
});
