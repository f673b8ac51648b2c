// Drives the Outpost JS client (as served at /_outpost/client.js) under Node against a running
// node: a chat over WebSocket, then through a proxy that blocks WebSocket upgrades (the client
// must fall back to SSE), then through one that also blocks event streams (long polling).
// Usage: node fallback-test.mjs http://127.0.0.1:PORT   Exit 0 and "ok" lines on success.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const base = process.argv[2];
const require = createRequire(import.meta.url);
const WebSocket = require('ws');

const code = await (await fetch(base + '/_outpost/client.js')).text();
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-js-')), 'outpost-client.cjs');
fs.writeFileSync(file, code);
const Outpost = require(file);

const target = new URL(base);

/** An HTTP proxy on 127.0.0.1 that blocks WebSocket upgrades, and event streams if asked. */
function startProxy(blockEventStreams) {
  const server = http.createServer((req, res) => {
    if (blockEventStreams && (req.headers.accept || '').includes('text/event-stream')) {
      res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end('event streams are blocked here');
      return;
    }
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode, upRes.headers);
        upRes.pipe(res);
      });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
    res.on('close', () => upstream.destroy());
  });
  server.on('upgrade', (req, socket) => socket.destroy()); // WebSockets are blocked here
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function waitFor(what, condition, ms = 15000) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (condition()) { clearInterval(timer); resolve(); }
      else if (Date.now() - started > ms) { clearInterval(timer); reject(new Error('timed out waiting for ' + what)); }
    }, 10);
  });
}

function member(url, options) {
  const m = { texts: [], opens: [], states: [] };
  m.conn = Outpost.connect(url, Object.assign({ WebSocket, minDelay: 50, maxDelay: 200, connectTimeout: 2000 }, options));
  m.conn.on('message', (data) => m.texts.push(data));
  m.conn.on('open', (o) => m.opens.push(o));
  m.conn.on('state', (s) => m.states.push(s));
  return m;
}

async function scenario(name, viaBase, expected) {
  const room = '/objects/chat/js-' + name;
  const peer = member(base + room, { transports: ['websocket'] });
  const client = member(viaBase + room, {});
  await waitFor(name + ': both open', () => peer.opens.length > 0 && client.opens.length > 0);
  if (client.conn.transport !== expected) {
    throw new Error(name + ': expected transport ' + expected + ' but got ' + client.conn.transport);
  }
  for (let i = 0; i < 5; i++) {
    peer.conn.send('peer-' + i);
    client.conn.send('client-' + i);
  }
  const want = (m) => ['peer', 'client'].every((who) => [0, 1, 2, 3, 4].every((i) => m.texts.includes(who + '-' + i)));
  await waitFor(name + ': the conversation', () => want(peer) && want(client));
  for (const m of [peer, client]) {
    const seen = m.texts.filter((t) => /^(peer|client)-/.test(t));
    if (seen.length !== 10 || new Set(seen).size !== 10) throw new Error(name + ': duplicates or extras: ' + seen);
    for (const who of ['peer', 'client']) {
      const own = seen.filter((t) => t.startsWith(who + '-'));
      if (own.join() !== [0, 1, 2, 3, 4].map((i) => who + '-' + i).join()) throw new Error(name + ': order ' + own);
    }
  }
  peer.conn.close();
  client.conn.close();
  console.log(name + ': ok via ' + client.conn.transport + ' (states ' + client.states.join(' > ') + ')');
}

try {
  await scenario('direct', base, 'websocket');
  const noWs = await startProxy(false);
  await scenario('websocket-blocked', 'http://127.0.0.1:' + noWs.address().port, 'sse');
  const noWsNoSse = await startProxy(true);
  await scenario('websocket-and-sse-blocked', 'http://127.0.0.1:' + noWsNoSse.address().port, 'polling');
  console.log('all scenarios passed');
  process.exit(0);
} catch (e) {
  console.log('FAILED: ' + e.message);
  process.exit(1);
}
