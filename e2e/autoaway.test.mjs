// End to end: auto-away (SPEC S11) with the contact_center profile's
// `auto_away_ms = 3000`. Two tabs of one agent: after three seconds
// without input both show Away, and a mouse move in one page puts the
// status back in both. The package sends `present` on input at most once
// per quarter of the auto-away time. Screenshots go to artifacts/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchChromium, shots, startServer } from './harness.mjs';

const AUTO_AWAY_MS = 3_000;
let server;
let browser;

before(async () => {
  server = await startServer({ profile: `auto_away_ms = ${AUTO_AWAY_MS}` });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const labelIs = (page, text) => page.waitForFunction((t) => document.querySelector('ringside-agent')?.shadowRoot
  ?.getElementById('status-label')?.textContent === t, text, { timeout: 15_000 });

test('an idle page goes Away after the inactivity time and input brings the status back, in both tabs (SPEC S11, SPEC N4)', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 640 } });
  const token = server.token('ana', 'agent');
  const tabs = [];
  const sent = [];
  for (const name of ['first', 'second']) {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[${name}] page error:`, error));
    page.on('websocket', (ws) => ws.on('framesent', (frame) => sent.push({ tab: name, at: Date.now(), text: String(frame.payload) })));
    await page.goto(`${server.http}/#token=${token}`);
    await page.locator('ringside-agent #status-label').waitFor();
    tabs.push(page);
  }
  const [first, second] = tabs;
  await first.locator('ringside-agent button[data-action="login"]').click();
  await first.locator('ringside-agent #status').selectOption('available');
  // The status list keeps the focus while its row is built again for each
  // status: the element moving the focus back is no input.
  await first.locator('ringside-agent #status').focus();
  const lastInput = Date.now();
  await labelIs(first, 'Available');
  await labelIs(second, 'Available');

  // No input anywhere: the server's one timer for ana sends both tabs away.
  await labelIs(first, 'Away (inactive)');
  const idleFor = Date.now() - lastInput;
  await labelIs(second, 'Away (inactive)');
  assert.ok(idleFor >= AUTO_AWAY_MS - 250, `away after ${idleFor} ms without input`);
  assert.equal(await first.evaluate(() => document.querySelector('ringside-agent').shadowRoot.activeElement?.id), 'status', 'the focus came back');
  await first.waitForTimeout(AUTO_AWAY_MS / 2);
  assert.equal(await first.evaluate(() => document.querySelector('ringside-agent').shadowRoot.getElementById('status-label').textContent), 'Away (inactive)', 'and stays away');
  await first.screenshot({ path: join(shots, 'autoaway-01-away.png') });

  // A mouse move in the first page: `present`, and the previous status is back.
  const moveFrom = Date.now();
  for (let step = 0; step < 20; step++) {
    await first.mouse.move(100 + step * 10, 200 + step * 5);
    await first.waitForTimeout(25);
  }
  await labelIs(first, 'Available');
  await labelIs(second, 'Available');
  await second.screenshot({ path: join(shots, 'autoaway-02-back-in-the-other-tab.png') });
  const presents = sent.filter((f) => f.at >= moveFrom && f.text.includes('"present"'));
  assert.ok(presents.length >= 1, 'input sent present');
  assert.ok(presents.every((f) => f.tab === 'first'), 'only the page with input sends it');
  const spacing = presents.slice(1).map((f, i) => f.at - presents[i].at);
  assert.ok(spacing.every((gap) => gap >= AUTO_AWAY_MS / 4 - 50), `at most once per quarter of auto_away_ms: gaps ${spacing.join(', ')} ms`);
  await context.close();
});
