// Typed calls from the Outpost JS client (as served at /_outpost/client.js) under Node: over a
// connection (conn.call) and without one (Outpost.call), a method that throws, and a call that does
// not fit. Needs no packages (SSE runs on Node's fetch).
// Usage: node rpc-test.mjs ROUTER_URL OBJECT_PATH
// Prints one JSON line per result: {"step": ..., ...}; exits 0 once every step ran.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [base, objectPath] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const code = await (await fetch(base + '/_outpost/client.js')).text();
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-js-')), 'outpost-client.cjs');
fs.writeFileSync(file, code);
const Outpost = require(file);

const print = (step, value) => console.log(JSON.stringify({ step, ...value }));
const failure = (e) => ({
  name: e.name, status: e.status, remote: e.remote, remoteClass: e.remoteClass,
  remoteMessage: e.remoteMessage, message: e.message,
});

const conn = Outpost.connect(base + objectPath + '?user=js', { transports: ['sse'] });
await new Promise((resolve, reject) => {
  conn.on('open', resolve);
  setTimeout(() => reject(new Error('the connection did not open within 10 s')), 10000);
});
print('join', { result: await conn.call('join', 'js') });
print('members', { result: await conn.call('members') });
try {
  await conn.call('fail', 'js2', 'no room for js');
  print('fail', { result: 'no error' });
} catch (e) {
  print('fail', failure(e));
}
try {
  await conn.call('nope', 1);
  print('nope', { result: 'no error' });
} catch (e) {
  print('nope', failure(e));
}
print('trace', { result: await Outpost.call(base + objectPath, 'trace', ['b']) });
conn.close();
process.exit(0);
