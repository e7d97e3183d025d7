// End to end in a second engine: the demo desk in Debian's Firefox ESR,
// driven over WebDriver BiDi by puppeteer-core, against the real server.
// The smoke path of the Chromium tests: log in, go available, an offer whose
// accept button flashes before the deadline, RONA at the deadline, and a
// reload that shows the true status before any other. The offer times out
// after 10 s, so its accept button flashes (SPEC O2: over eight seconds).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchFirefox, placeContact, shots, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ voiceTimeoutMs: 10_000 });
  browser = await launchFirefox();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const inDesk = (selector) => `ringside-agent >>> ${selector}`;
const present = (page, selector, timeout) =>
  page.waitForFunction((s) => document.querySelector('ringside-agent')?.shadowRoot?.querySelector(s), { timeout }, selector);
const statusShown = (page, text) =>
  page.waitForFunction((t) => document.querySelector('ringside-agent')?.shadowRoot?.getElementById('status-label')?.textContent === t, {}, text);

test('Firefox over WebDriver BiDi: login, offer, flash before the deadline, RONA, reload (SPEC O2, O3, O5, S10)', async () => {
  const page = await browser.newPage();
  await page.setViewport({ width: 1000, height: 640 });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  // From the first paint of every load on, note each change of the status
  // shown and of the offer card (none, offer, flashing), with its time.
  await page.evaluateOnNewDocument(() => {
    window.__seen = { status: [], card: [] };
    const note = (stream, what) => {
      if (stream.at(-1)?.what !== what) stream.push({ what, at: Date.now() });
    };
    const look = () => {
      const root = document.querySelector('ringside-agent')?.shadowRoot;
      const status = root?.getElementById('status-label')?.textContent;
      if (status) note(window.__seen.status, status);
      const card = root?.querySelector('button.accept[data-flashing]') ? 'flashing' : root?.querySelector('[data-offer]') ? 'offer' : 'none';
      note(window.__seen.card, card);
      requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  });
  await page.goto(`${server.http}/#token=${server.token('fay', 'agent')}`);

  await page.locator(inDesk('button[data-action="login"]')).click();
  await page.locator(inDesk('#status')).wait();
  await page.select(inDesk('#status'), 'available');
  await statusShown(page, 'Available');
  await page.evaluate(() => {
    window.__offers = [];
    document.querySelector('ringside-agent').client.on('offer', (offer) => window.__offers.push(offer));
  });

  await placeContact(server, { from: '+46 8 555 0177' });
  await present(page, '[data-offer]');
  assert.match(await page.$eval(inDesk('[data-offer]'), (card) => card.textContent), /\+46 8 555 0177/);
  await page.screenshot({ path: join(shots, 'firefox-01-offer.png') });
  await present(page, 'button.accept[data-flashing]', 10_000);
  await page.screenshot({ path: join(shots, 'firefox-02-flashing.png') });
  await present(page, '#rona', 8_000);
  await statusShown(page, 'RONA');
  await page.screenshot({ path: join(shots, 'firefox-03-rona.png') });

  const offer = await page.evaluate(() => window.__offers[0]);
  const seen = await page.evaluate(() => window.__seen);
  const cards = seen.card.map((c) => c.what);
  assert.deepEqual(cards.slice(0, 3), ['none', 'offer', 'flashing'], `offer card: ${cards.join(' -> ')}`);
  const flashed = seen.card[2].at;
  const rona = seen.status.find((s) => s.what === 'RONA').at;
  assert.ok(flashed < rona, 'the accept button flashed before RONA');
  // The engine's idea of server time never runs ahead, so the flash never
  // starts before deadline - 5 s (only millisecond rounding may show).
  assert.ok(flashed >= offer.deadline - 5_000 - 5, `the flash started ${offer.deadline - 5_000 - flashed} ms early`);

  await page.reload();
  await statusShown(page, 'RONA');
  await present(page, '#rona');
  const statuses = (await page.evaluate(() => window.__seen.status)).map((s) => s.what);
  assert.deepEqual(statuses, ['RONA'], `statuses painted after the reload: ${statuses.join(' -> ')}`);
  await page.screenshot({ path: join(shots, 'firefox-04-after-reload.png') });

  await page.locator(inDesk('button[data-action="go-idle"]')).click();
  await statusShown(page, 'Idle');
  assert.deepEqual(errors, []);
});
