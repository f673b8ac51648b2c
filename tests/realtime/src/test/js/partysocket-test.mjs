// Drives unmodified partysocket (pinned in package-lock.json) with its default URL shape,
// /parties/main/{room}?_pk={id}, against a node serving the samples bundle (party.main=chat; the
// chat room sends every text frame to every member, the sender included). Driven by PartySocketIT.
//
// Usage: node partysocket-test.mjs 127.0.0.1:PORT
// Prints "ok ..." lines, and "DROP" when the node should be restarted (the test restarts it: the
// node closes every socket, partysocket reconnects by itself). Exit 0 on success.
import { PartySocket } from 'partysocket';
import WebSocket from 'ws';

const host = process.argv[2];
const LIMIT = 60000;

function fail(message) {
  console.error('FAIL: ' + message);
  process.exit(1);
}

function waitFor(what, condition, ms = LIMIT) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (condition()) { clearInterval(timer); resolve(); }
      else if (Date.now() - started > ms) { clearInterval(timer); reject(new Error('timed out waiting for ' + what)); }
    }, 10);
  });
}

/** A partysocket with its default options (Node needs a WebSocket implementation), recording. */
function member(name, room, extra = {}) {
  const m = { name, texts: [], opens: 0, closes: [] };
  m.socket = new PartySocket(Object.assign({ host, room, WebSocket }, extra));
  m.socket.addEventListener('message', (e) => m.texts.push(String(e.data)));
  m.socket.addEventListener('open', () => { m.opens++; });
  m.socket.addEventListener('close', (e) => m.closes.push(e.code));
  return m;
}

function sameList(actual, expected) {
  return JSON.stringify(actual) === JSON.stringify(expected);
}

// ann reconnects only once bob is back (her query function waits for it), so that the messages
// she queued while disconnected have someone to reach.
let annMayConnect = Promise.resolve();
let letAnnIn = () => {};
const ann = member('ann', 'r1', { query: async () => { await annMayConnect; return {}; } });
const bob = member('bob', 'r1');
const cy = member('cy', 'r2');
const everyone = [ann, bob, cy];

try {
  // 1. The default URL shape.
  const expectedRoomUrl = `ws://${host}/parties/main/r1`;
  if (ann.socket.roomUrl !== expectedRoomUrl) fail(`roomUrl ${ann.socket.roomUrl}, expected ${expectedRoomUrl}`);
  await waitFor('everyone open', () => everyone.every((m) => m.opens === 1));
  const url = new URL(ann.socket.url);
  if (url.pathname !== '/parties/main/r1' || url.searchParams.get('_pk') !== ann.socket.id) {
    fail(`ann connected to ${ann.socket.url}, expected /parties/main/r1?_pk=${ann.socket.id}`);
  }
  console.log(`ok default url ${url.pathname}?_pk=<id>`);

  // 2. Broadcast in a room, and rooms kept apart.
  ann.socket.send('hello r1');
  cy.socket.send('hello r2');
  await waitFor('bob hears ann', () => bob.texts.includes('hello r1'));
  await waitFor('cy hears herself', () => cy.texts.includes('hello r2'));
  bob.socket.send('end r1');
  cy.socket.send('end r2');
  await waitFor('the ends', () => ann.texts.includes('end r1') && cy.texts.includes('end r2'));
  if (!sameList(ann.texts, ['hello r1', 'end r1']) || !sameList(bob.texts, ['hello r1', 'end r1'])) {
    fail(`room r1 heard ann=${JSON.stringify(ann.texts)} bob=${JSON.stringify(bob.texts)}`);
  }
  if (!sameList(cy.texts, ['hello r2', 'end r2'])) fail(`room r2 heard ${JSON.stringify(cy.texts)}`);
  console.log('ok broadcast in a room');
  console.log('ok room isolation');

  // 3. PartySocket.fetch reaches the same room over HTTP (the chat answers a plain GET with 426).
  const response = await PartySocket.fetch({ host, room: 'r1' });
  if (response.status !== 426) fail(`PartySocket.fetch answered ${response.status}`);
  console.log('ok PartySocket.fetch ' + response.status);

  // 4. The node goes away and comes back; partysocket reconnects by itself with the same id.
  for (const m of everyone) m.texts.length = 0;
  const annId = ann.socket.id;
  annMayConnect = new Promise((resolve) => { letAnnIn = resolve; });
  console.log('DROP');
  await waitFor('the node closing every socket', () => everyone.every((m) => m.closes.length >= 1));
  console.log(`ok dropped by the server with ${[...new Set(everyone.map((m) => m.closes[0]))]}`);

  // 5. Messages sent while disconnected are queued, and delivered after the reconnect.
  const queuedNow = [ann.socket.send('queued 1'), ann.socket.send('queued 2')];
  if (queuedNow.some((sent) => sent !== false)) fail(`send while disconnected returned ${queuedNow}`);
  await waitFor('bob and cy reconnected', () => bob.opens === 2 && cy.opens === 2);
  letAnnIn();
  await waitFor('ann reconnected', () => ann.opens === 2);
  if (ann.socket.id !== annId || new URL(ann.socket.url).searchParams.get('_pk') !== annId) {
    fail(`ann came back as ${ann.socket.url}, expected _pk=${annId}`);
  }
  console.log('ok reconnect after the server dropped it, same _pk');
  await waitFor('bob hears what ann queued', () => bob.texts.length >= 2);
  if (!sameList(bob.texts, ['queued 1', 'queued 2'])) fail(`bob heard ${JSON.stringify(bob.texts)}`);
  cy.socket.send('r2 after');
  await waitFor('cy hears herself', () => cy.texts.includes('r2 after'));
  if (!sameList(cy.texts, ['r2 after'])) fail(`cy heard ${JSON.stringify(cy.texts)}`);
  console.log('ok queued while disconnected delivered after reconnect');
} catch (e) {
  fail(e.message + '\n' + everyone.map((m) => `${m.name}: opens=${m.opens} closes=${m.closes} texts=${JSON.stringify(m.texts)}`).join('\n'));
} finally {
  for (const m of everyone) m.socket.close();
}
process.exit(0);
