// Hot reload under load: N chat clients spread over every router of a running cluster keep
// sending while a new version of the chat bundle is deployed; reports the deploy's switch time
// (from the decision to every node serving the new version), the time until every client has
// seen a new-version broadcast, and how many connections closed (goal: 0).
// Usage: [EXPECT_PREFIX=v2:] node reload.mjs BUNDLE_JAR ROUTER_URL... (10 clients per router;
// bounded: 20 s). The room is new, so it starts on the version running before the deploy.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.resolve('../../realtime/src/test/js/package.json'));
const WebSocket = require('ws');
const [jar, ...routers] = process.argv.slice(2);
const token = process.env.OUTPOST_ADMIN_TOKEN || 'outpost-dev-admin-token';
const room = `reload-${Date.now()}`;
const expected = process.env.EXPECT_PREFIX || 'v2:'; // what the new version's broadcasts start with

const clients = [];
for (const router of routers) {
  for (let i = 0; i < 10; i++) {
    const ws = await new Promise((resolve, reject) => {
      const s = new WebSocket(router.replace('http', 'ws') + `/objects/chat/${room}`);
      s.on('open', () => resolve(s));
      s.on('error', reject);
    });
    const c = { ws, closed: false, sawNew: null, received: 0 };
    ws.on('message', (data) => {
      c.received++;
      if (c.sawNew === null && String(data).startsWith(expected)) c.sawNew = performance.now();
    });
    ws.on('close', () => { c.closed = true; });
    clients.push(c);
  }
}
let sent = 0;
const sender = setInterval(() => { // 20 messages/s from rotating clients
  const c = clients[sent % clients.length];
  if (!c.closed) { c.ws.send(`m${sent}`); sent++; }
}, 50);
await new Promise((r) => setTimeout(r, 1000));
const deployStart = performance.now();
const res = await fetch(routers[0] + '/_outpost/admin/deploy', {
  method: 'POST', headers: { Authorization: 'Bearer ' + token }, body: fs.readFileSync(jar) });
const report = await res.json();
const deployEnd = performance.now();
const deadline = performance.now() + 20000;
while (clients.some((c) => c.sawNew === null) && performance.now() < deadline) {
  await new Promise((r) => setTimeout(r, 20));
}
clearInterval(sender);
const lastSeen = Math.max(...clients.map((c) => c.sawNew ?? Infinity));
console.log(JSON.stringify({
  workload: 'reload', nodes: routers.length, clients: clients.length, status: res.status,
  version: report.version, activated: report.activated, problems: report.problems,
  switch_ms: report.activateMillis, deploy_request_ms: Math.round(deployEnd - deployStart),
  until_every_client_saw_new_version_ms: Math.round(lastSeen - deployStart),
  connections_closed: clients.filter((c) => c.closed).length, messages_sent: sent }));
clients.forEach((c) => c.ws.terminate());
process.exit(0);
