// Prints the package's size, raw and gzipped, file by file and in total.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = process.argv[2] ?? 'pkg';
const parts = [
  ['wasm engine', 'wasm/engine.wasm'],
  ['binding (engine.js)', 'engine.js'],
  ['wrapper (index.js)', 'index.js'],
  ['custom element', 'element.js'],
];
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let raw = 0;
let gz = 0;
console.log(`${'part'.padEnd(22)} ${'raw'.padStart(10)} ${'gzipped'.padStart(10)}`);
for (const [name, file] of parts) {
  const bytes = readFileSync(join(dir, file));
  const zipped = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gz += zipped;
  console.log(`${name.padEnd(22)} ${kb(bytes.length).padStart(10)} ${kb(zipped).padStart(10)}`);
}
console.log(`${'whole client'.padEnd(22)} ${kb(raw).padStart(10)} ${kb(gz).padStart(10)}`);
// Loaded only by supervisor pages, so outside the client's budget.
const chart = readFileSync(join(dir, 'timeline.js'));
console.log(`${'timeline (own entry)'.padEnd(22)} ${kb(chart.length).padStart(10)} ${kb(gzipSync(chart, { level: 9 }).length).padStart(10)}`);
// Loaded only by test pages: the real center in the page, outside the budget.
const sim = ['sim.js', 'sim/sim.js', 'sim/sim_bg.wasm'].map((file) => readFileSync(join(dir, file)));
const simRaw = sim.reduce((sum, bytes) => sum + bytes.length, 0);
const simGz = sim.reduce((sum, bytes) => sum + gzipSync(bytes, { level: 9 }).length, 0);
console.log(`${'simulator (own entry)'.padEnd(22)} ${kb(simRaw).padStart(10)} ${kb(simGz).padStart(10)}`);
console.log(`size: whole client ${kb(gz)} gzipped; budget 48 KB; Amazon Connect Streams 191 KB, Twilio TaskRouter 138 KB`);
