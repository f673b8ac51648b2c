// Forwarded vs direct, in one run: the counter (HTTP, closed loop) and chat fan-out (WebSocket)
// through the owner's router and through a non-owner router of the same cluster.
// Usage: node forward.mjs OWNER_URL OTHER_URL [seconds=10] [callers=32] [chatClients=20]
// Needs the `ws` package (tests/realtime/src/test/js/node_modules). Bounded: every loop stops at
// its deadline. Prints one JSON line per measurement.
import { createRequire } from 'node:module';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.resolve('../../realtime/src/test/js/package.json'));
const WebSocket = require('ws');
const [owner, other, secondsArg, callersArg, chatArg] = process.argv.slice(2);
const seconds = Number(secondsArg || 10);
const callers = Number(callersArg || 32);
const chatClients = Number(chatArg || 20);

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function post(agent, base, path) {
  return new Promise((resolve, reject) => {
    const url = new URL(base + path);
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent },
      (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end();
  });
}

async function counter(base, label, object) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: callers });
  await post(agent, base, `/objects/counter/${object}`); // place it, warm the path
  const latencies = [];
  let errors = 0;
  const warmupEnd = performance.now() + 2000;
  const end = warmupEnd + seconds * 1000;
  async function caller() {
    while (performance.now() < end) {
      const start = performance.now();
      try {
        const status = await post(agent, base, `/objects/counter/${object}`);
        if (status !== 200) errors++;
      } catch (e) { errors++; }
      if (start >= warmupEnd) latencies.push(performance.now() - start);
    }
  }
  await Promise.all(Array.from({ length: callers }, caller));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { workload: 'counter', via: label, callers, seconds, throughput: Math.round(latencies.length / seconds),
    p50_ms: +percentile(latencies, 0.5).toFixed(3), p99_ms: +percentile(latencies, 0.99).toFixed(3), errors };
}

async function chat(base, label, room) {
  const sockets = await Promise.all(Array.from({ length: chatClients }, () => new Promise((resolve, reject) => {
    const ws = new WebSocket(base.replace('http', 'ws') + `/objects/chat/${room}`);
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
  })));
  const latencies = [];
  let delivered = 0;
  let measuring = false;
  for (const ws of sockets) {
    ws.on('message', (data) => {
      const sent = Number(String(data).split(' ')[0]);
      if (measuring) { delivered++; latencies.push(performance.now() - sent); }
    });
  }
  // Closed loop: the sender sends the next message when its previous one came back to it.
  const sender = sockets[0];
  const end = performance.now() + 2000 + seconds * 1000;
  setTimeout(() => { measuring = true; }, 2000);
  await new Promise((resolve) => {
    sender.on('message', () => {
      if (performance.now() < end) sender.send(`${performance.now()} x`); else resolve();
    });
    for (let i = 0; i < 8; i++) sender.send(`${performance.now()} x`); // a window of 8
  });
  await new Promise((r) => setTimeout(r, 500));
  sockets.forEach((ws) => ws.terminate());
  latencies.sort((a, b) => a - b);
  return { workload: 'chat', via: label, clients: chatClients, seconds, delivered_per_s: Math.round(delivered / seconds),
    p50_ms: +percentile(latencies, 0.5).toFixed(3), p99_ms: +percentile(latencies, 0.99).toFixed(3) };
}

const stamp = Date.now();
for (const [base, label] of [[owner, 'owner router (direct)'], [other, 'non-owner router (forwarded)']]) {
  // the object is first placed through the owner's router, so both runs reach the same node
  console.log(JSON.stringify(await counter(base, label, `fwd-${stamp}`)));
}
for (const [base, label] of [[owner, 'owner router (direct)'], [other, 'non-owner router (forwarded)']]) {
  console.log(JSON.stringify(await chat(base, label, `fwd-${stamp}`)));
}
process.exit(0);
