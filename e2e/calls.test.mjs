// End to end: a consult, a conference where the primary keeps a conferenced
// agent on hold and then allows it to talk, two more agents and the customer,
// the primary exiting, the customer hanging up, and wrap-up with a required
// code, each agent in its own Chromium page against the real server.
// Screenshots of each step go to artifacts/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { expectAccessible, launchChromium, shots, startServer } from './harness.mjs';


let server;
let browser;

before(async () => {
  server = await startServer({
    voiceTimeoutMs: 30_000,
    profile: 'wrap_up = { required = true, codes = [{ id = "sale", label = "Sale" }, { id = "no_sale", label = "No sale" }] }',
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function desk(user, { sim = false, on = server } = {}) {
  const page = await (await browser.newContext({ viewport: { width: 1100, height: 760 } })).newPage();
  page.on('pageerror', (error) => console.error(`[${user}] page error:`, error));
  const admin = sim ? `&sim=${on.token('admin', 'admin')}` : '';
  await page.goto(`${on.http}/#token=${on.token(user, 'agent')}${admin}`);
  await page.locator('ringside-agent button[data-action="login"]').click();
  await page.locator('ringside-agent #status').selectOption('available');
  await page.waitForFunction(() => document.querySelector('ringside-agent').shadowRoot.getElementById('status-label')?.textContent === 'Available');
  return page;
}

const card = (page) => page.locator('ringside-agent [data-interaction]');
const act = (page, action) => card(page).locator(`button[data-action="${action}"]`).first();
const stateOf = (page) => card(page).locator('.call-state').textContent();
const shot = (page, file) => page.screenshot({ path: join(shots, file), fullPage: true });

async function invite(page, purpose, agent) {
  await card(page).locator(`button[data-action="open-target"][data-purpose="${purpose}"]`).click();
  await card(page).locator('.target-kind').selectOption('agent');
  await card(page).locator('.target-value').fill(agent);
  await card(page).locator('button[data-action="send-target"]').click();
}

async function acceptRequest(page) {
  await page.locator('ringside-agent [data-offer] button[data-action="accept"]').click();
  await card(page).waitFor();
}

test('consult, conference, exit, customer leaves, wrap-up with a required code (SPEC V6, SPEC F2, SPEC F4, SPEC F5, SPEC F7, SPEC F8, SPEC V3)', async () => {
  const ana = await desk('ana', { sim: true });
  const ben = await desk('ben');
  const cid = await desk('cid');

  await ana.locator('#sim-queue').selectOption('support');
  await ana.locator('#sim-channel').selectOption('voice');
  await ana.locator('#sim-from').fill('+46 8 555 0123');
  await ana.locator('#sim-place').click();
  await ana.locator('ringside-agent [data-offer] button[data-action="accept"]').click();
  await card(ana).waitFor();
  assert.equal(await stateOf(ana), 'connected');

  // SPEC N6: a request the local rules allow but the server refuses rejects
  // the promise with an Error carrying the server's code.
  const refused = await ana.evaluate(async () => {
    const client = document.querySelector('ringside-agent').client;
    try {
      await client.consult(client.view.interactions[0].id, { agent: 'nobody-here' });
      return null;
    } catch (error) {
      return { isError: error instanceof Error, code: error.code };
    }
  });
  assert.deepEqual(refused, { isError: true, code: 'target_unavailable' });

  // SPEC V6: consult Ben; the customer waits on hold.
  await invite(ana, 'consult', 'ben');
  await ben.locator('ringside-agent [data-offer]').waitFor();
  assert.match(await ben.locator('ringside-agent [data-offer]').textContent(), /consult request from ana/);
  assert.match(await ben.locator('ringside-agent #live').textContent(), /^Consult request from ana, /, 'announced as what it is');
  await acceptRequest(ben);
  await ana.waitForFunction(() => document.querySelector('ringside-agent').shadowRoot.querySelector('.call-state')?.textContent === 'consulting');
  await shot(ana, 'calls-01-consulting.png');

  // SPEC F2, SPEC F3: the conference starts from the consult, the customer
  // off hold; Ben, conferenced, waits on hold until Ana allows him to talk.
  await act(ana, 'start-conference').click();
  await ana.waitForFunction(() => document.querySelector('ringside-agent').shadowRoot.querySelector('.call-state')?.textContent === 'conference');
  const benRow = card(ana).locator('.participants li', { hasText: 'ben' });
  assert.match(await benRow.textContent(), /on hold/);
  assert.doesNotMatch(await card(ana).locator('.participants li', { hasText: 'Customer' }).textContent(), /on hold/);
  await ben.waitForFunction(() => /on hold/.test(document.querySelector('ringside-agent').shadowRoot.querySelector('.participants li:last-child')?.textContent ?? ''));
  await shot(ana, 'calls-02-conferenced-agent-held.png');
  await benRow.locator('button[data-action="resume"]', { hasText: 'Allow to talk' }).click();
  await ana.waitForFunction(() => /may talk/.test([...document.querySelector('ringside-agent').shadowRoot.querySelectorAll('.participants li')].find((li) => li.textContent.includes('ben'))?.textContent ?? ''));
  assert.equal(await card(ana).locator('.participants em', { hasText: 'on hold' }).count(), 0, 'nobody on hold');
  await ben.waitForFunction(() => /may talk/.test(document.querySelector('ringside-agent').shadowRoot.querySelector('.participants li:last-child')?.textContent ?? ''));
  await shot(ben, 'calls-03-allowed-to-talk.png');

  // A second agent joins: the customer and three agents.
  await invite(ana, 'conference', 'cid');
  await acceptRequest(cid);
  await ana.waitForFunction(() => document.querySelectorAll('ringside-agent')[0].shadowRoot.querySelectorAll('.participants li').length === 4);
  await shot(ana, 'calls-04-conference-of-four.png');
  await expectAccessible(ana, 'a conference call with its participants');

  // SPEC F4: the primary exits; control and the wrap-up code pass to Ben,
  // present longest; Ana's wrap-up is an assist.
  assert.equal(await act(ana, 'leave').textContent(), 'Exit conference');
  assert.equal(await card(ana).locator('button[data-purpose="transfer"]').count(), 0, 'no transfer during a conference');
  await act(ana, 'leave').click();
  await card(ana).locator('button[data-action="done"]').waitFor();
  assert.equal(await card(ana).locator('select[data-code-for]').count(), 0, 'wrap-up assist: no code picker');
  await ben.waitForFunction(() => document.querySelector('ringside-agent').shadowRoot.querySelector('[data-interaction]')?.textContent.includes('in control'));
  assert.ok(!(await card(cid).textContent()).includes('in control'));
  await shot(ben, 'calls-05-control-passed.png');

  // SPEC F7: the customer hangs up; the agents go on in wrap-up assist.
  await ana.locator('#sim-state tr', { hasText: '+46 8 555 0123' }).locator('button[data-do="hang-up"]').click();
  await ben.waitForFunction(() => document.querySelector('ringside-agent').shadowRoot.querySelector('.call-state')?.textContent.startsWith('customer left'));
  const controls = await card(ben).locator('.controls button').allTextContents();
  assert.ok(!controls.some((c) => /Hold|Consult|Conference|Transfer/.test(c)), `no call controls left: ${controls}`);
  await shot(ben, 'calls-06-customer-left.png');

  // SPEC F8, SPEC F4: Ben, in control, leaves: control and the code pass to
  // Cid, who alone ends the call.
  await act(ben, 'leave').click();
  await card(cid).locator('button[data-action="done"]').waitFor();

  // SPEC V3, SPEC F5: the owner needs the code; the others assist without it.
  assert.equal(await card(ben).locator('select[data-code-for]').count(), 0, 'wrap-up assist: no code picker');
  await act(ben, 'done').click();
  await act(ana, 'done').click();
  assert.ok(await act(cid, 'done').isDisabled(), 'the owner must choose a code first');
  await card(cid).locator('select[data-code-for]').selectOption('sale');
  await shot(cid, 'calls-07-wrap-up-code.png');
  await expectAccessible(cid, 'wrap-up with a code');
  await act(cid, 'done').click();
  for (const page of [ana, ben, cid]) await card(page).waitFor({ state: 'detached' });
  await shot(cid, 'calls-08-done.png');
});

test('a consult the colleague declines is told to the asking agent; the target form sends nothing empty, and Escape or Cancel gives the focus back to its opener (SPEC V6)', async () => {
  // A server of its own: the agents of the test before stay available on the other.
  const own = await startServer({ voiceTimeoutMs: 30_000 });
  const pages = [];
  try {
    const dee = await desk('dee', { sim: true, on: own });
    pages.push(dee);
    await dee.locator('#sim-queue').selectOption('support');
    await dee.locator('#sim-channel').selectOption('voice');
    await dee.locator('#sim-from').fill('+46 8 555 0177');
    await dee.locator('#sim-place').click();
    await dee.locator('ringside-agent [data-offer] button[data-action="accept"]').click();
    await card(dee).waitFor();
    const eve = await desk('eve', { on: own });
    pages.push(eve);
    const focusedAction = (page) => page.evaluate(() => {
      const active = document.querySelector('ringside-agent').shadowRoot.activeElement;
      return active ? `${active.dataset.action}:${active.dataset.purpose}` : null;
    });

    const opener = card(dee).locator('button[data-action="open-target"][data-purpose="consult"]');
    await opener.click();
    await card(dee).locator('.target-value').press('Escape');
    await card(dee).locator('.target-form').waitFor({ state: 'detached' });
    assert.equal(await focusedAction(dee), 'open-target:consult', 'Escape closes the form and the focus goes back to Consult…');

    await opener.click();
    await card(dee).locator('button[data-action="send-target"]').click();
    await dee.locator('ringside-agent .toast[data-code="bad_argument"]').waitFor();
    assert.match(await dee.locator('ringside-agent .toast').textContent(), /Type the agent to reach/);
    await card(dee).locator('button[data-action="cancel-target"]').click();
    assert.equal(await focusedAction(dee), 'open-target:consult', 'Cancel gives the focus back to Consult…');
    assert.equal(await stateOf(dee), 'connected', 'an empty target was not sent');

    await invite(dee, 'consult', 'eve');
    await eve.locator('ringside-agent [data-offer] button[data-action="decline"]').click();
    await dee.waitForFunction(() => document.querySelector('ringside-agent').shadowRoot.querySelector('.call-state')?.textContent === 'on hold');
    await dee.locator('ringside-agent .toast', { hasText: 'The consult request was not taken' }).waitFor();
    assert.equal(await dee.locator('ringside-agent #toast').getAttribute('role'), 'status', 'a live region that stays in the page');
    await expectAccessible(dee, 'the desk telling of a consult not taken');
  } finally {
    for (const page of pages) await page.context().close();
    await own.stop();
  }
});
