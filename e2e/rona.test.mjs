// End to end: RONA while the desk is not the visible, focused tab raises a
// system notification where the user granted it, and an in-page toast
// otherwise (SPEC O6).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, placeContact, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ voiceTimeoutMs: 2_000 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** An agent's desk in a tab the user has left: the page reports itself hidden. */
async function hiddenDesk(user, { notifications }) {
  const context = await browser.newContext();
  if (notifications) await context.grantPermissions(['notifications'], { origin: server.http });
  const page = await context.newPage();
  await page.addInitScript(() => {
    Object.defineProperty(document, 'hidden', { get: () => true });
    Object.defineProperty(document, 'visibilityState', { get: () => 'hidden' });
  });
  await page.goto(`${server.http}/#token=${server.token(user, 'agent')}`);
  await page.locator('ringside-agent button[data-action="login"]').click();
  await page.locator('ringside-agent #status').selectOption('available');
  await page.waitForFunction(() => document.querySelector('ringside-agent').shadowRoot.getElementById('status-label')?.textContent === 'Available');
  await page.evaluate(() => {
    window.__rona = [];
    document.querySelector('ringside-agent').client.on('rona', (rona) => window.__rona.push(rona));
  });
  return page;
}

async function missACall(page) {
  await placeContact(server);
  await page.waitForFunction(() => window.__rona.length > 0, null, { timeout: 8_000 });
  return page.evaluate(() => window.__rona[0]);
}

test('a hidden desk without notification permission shows a toast on RONA (SPEC O6)', async () => {
  const page = await hiddenDesk('dan', { notifications: false });
  const rona = await missACall(page);
  assert.deepEqual(rona, { cause: 'no_answer', notification: 'toast' });
  await page.locator('ringside-agent .toast').waitFor();
  assert.match(await page.locator('ringside-agent .toast').textContent(), /RONA/);
  await page.locator('ringside-agent button[data-action="go-idle"]').click();
  await page.context().close();
});

test('a hidden desk with notification permission raises a system notification on RONA (SPEC O6)', async () => {
  const page = await hiddenDesk('eve', { notifications: true });
  const rona = await missACall(page);
  assert.deepEqual(rona, { cause: 'no_answer', notification: 'system' });
  await page.context().close();
});
