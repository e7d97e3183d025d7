// What every end-to-end test needs: the real ringside-server binary on a
// free loopback port with a fresh database and short offer timeouts (tokens
// minted by the binary's own `token` command), optionally with profile
// overrides and a directory (TOML appended to the config), Debian's
// Chromium (Playwright over CDP) and Firefox ESR (puppeteer-core over
// WebDriver BiDi), a customer placed through the simulator API, a folder for
// screenshots, and axe-core's accessibility check.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const axeSource = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
const binary = process.env.RINGSIDE_SERVER_BIN ?? join(root, 'target/debug/ringside-server');

function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
    probe.on('error', fail);
  });
}

export async function startServer({ voiceTimeoutMs = 10_000, profile = '', directory = '' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-e2e-'));
  const port = await freePort();
  const config = join(dir, 'config.toml');
  writeFileSync(config, `listen = "127.0.0.1:${port}"
database = "${join(dir, 'ringside.db')}"
token_secret = "e2e-${Date.now()}-${Math.random()}"
log_level = "warn"
web_root = "${root}"
queues = ["support", "sales"]
[profile]
preset = "contact_center"
${profile}
[profile.channels.voice]
offer_timeout_ms = ${voiceTimeoutMs}
${directory}
`);
  const log = join(dir, 'server.log');
  const child = spawn(binary, ['--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const http = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${http}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 100 || child.exitCode !== null) throw new Error(`the server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const token = (user, role, ttlSecs = 8 * 3600) => execFileSync(binary,
    ['--config', config, 'token', '--user', user, '--role', role, '--ttl', String(ttlSecs)]).toString().trim();
  return {
    http,
    token,
    log: () => { writeFileSync(log, output); return readFileSync(log, 'utf8'); },
    // Stopping removes the server's folder (config, database, log): a test
    // that needs the log reads it through log() before.
    stop: () => new Promise((done) => {
      const removed = () => { rmSync(dir, { recursive: true, force: true }); done(); };
      if (child.exitCode !== null) return removed();
      child.once('exit', removed);
      child.kill('SIGTERM');
    }),
  };
}

/** Debian's Chromium, headless; never a browser a tool downloaded. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * Debian's Firefox ESR, headless, driven over WebDriver BiDi by
 * puppeteer-core; never a browser a tool downloaded.
 */
export function launchFirefox() {
  return puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr',
    headless: true,
  });
}

/**
 * A customer contact placed through the simulator API (`POST /sim/contacts`)
 * with the admin token; resolves once the server has queued it.
 */
export async function placeContact(server, { queue = 'support', channel = 'voice', from = '+46 8 555 0111' } = {}) {
  const response = await fetch(`${server.http}/sim/contacts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token('admin', 'admin')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ queue, channel, from }),
  });
  if (response.status !== 201) throw new Error(`the simulator refused the contact: ${response.status} ${await response.text()}`);
  return response.json();
}

/** The folder screenshots are saved in, created if missing. */
export const shots = join(root, 'artifacts/e2e');
mkdirSync(shots, { recursive: true });

/** Asserts that axe-core finds nothing on the page in this state. */
export async function expectAccessible(page, state) {
  assert.deepEqual(await axeViolations(page), [], `axe-core violations on ${state}`);
}

/**
 * axe-core's violations on the whole page, open shadow roots (the
 * element's) included: `[]` when it passes. Each is `rule: target (impact)`
 * so a failing assertion says what to fix.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => (await window.axe.run(document)).violations);
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' > ')} (${v.impact}) ${n.failureSummary.replace(/\s+/g, ' ')}`));
}
