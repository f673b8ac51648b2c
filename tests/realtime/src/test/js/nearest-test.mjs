// Ranks a cluster's routers with the Outpost JS client (as served at /_outpost/client.js) from a
// declared client region, and connects through the nearest.
// Usage: node nearest-test.mjs http://127.0.0.1:PORT CLIENT_REGION
// Prints "ranked: region,region,..." and "connected via REGION", exits 0 on success.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [seed, clientRegion] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const WebSocket = require('ws');

const code = await (await fetch(seed + '/_outpost/client.js')).text();
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-js-')), 'outpost-client.cjs');
fs.writeFileSync(file, code);
const Outpost = require(file);

const ranked = await Outpost.nearest([seed], { clientRegion });
console.log('ranked: ' + ranked.map((r) => r.region).join(','));

const conn = await Outpost.connectNearest([seed], '/objects/chat/nearest-js?clientRegion=' + clientRegion,
  { clientRegion, WebSocket });
const opened = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no open within 10 s')), 10000);
  conn.on('open', (info) => { clearTimeout(timer); resolve(info); });
});
console.log('connected via ' + conn.routers[0].region + ' over ' + opened.transport);
conn.close();
process.exit(0);
