// Drives the samples' demo pages in Debian's Chromium with playwright-core (never a downloaded
// browser): two browser contexts, each through a router of a different region, must see each
// other's actions. Run by BrowserPagesIT.
// Usage: node browser-test.mjs PAGE URL_A URL_B SCREENSHOT_DIR [CHROMIUM, default /usr/bin/chromium]
//   [more arguments of the scenario]
// Prints "ok ..." lines, exits 0 on success; on failure saves PAGE-a.png and PAGE-b.png (and one
// per extra page a scenario opened with newPage) in SCREENSHOT_DIR and exits 1. To restart the
// node that owns an object it prints "RESTART namespace/name" and waits for a line "RESTARTED" on
// its stdin.
import { chromium } from 'playwright-core';
import * as Y from 'yjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const [pageName, urlA, urlB, shotDir, chromiumPath, ...extra] = process.argv.slice(2);
const CHROMIUM = chromiumPath || '/usr/bin/chromium';
const TIMEOUT = 20000;

const stdin = readline.createInterface({ input: process.stdin });
const stdinLines = [];
let stdinWaiter = null;
stdin.on('line', (line) => {
  if (stdinWaiter) { const w = stdinWaiter; stdinWaiter = null; w(line); } else stdinLines.push(line);
});
function nextStdinLine() {
  return stdinLines.length ? Promise.resolve(stdinLines.shift()) : new Promise((r) => { stdinWaiter = r; });
}

/** Asks the Java side to restart the node that owns namespace/name; resolves once it is back. */
async function restartOwner(object) {
  console.log('RESTART ' + object);
  const reply = await nextStdinLine();
  if (reply !== 'RESTARTED') throw new Error('restart of the owner of ' + object + ' failed: ' + reply);
}

function ok(what) { console.log('ok ' + what); }

/** Waits until the page's element matching selector has text containing (or matching) what. */
async function seeText(page, selector, what, label) {
  try {
    await page.locator(selector).filter({ hasText: what }).first().waitFor({ timeout: TIMEOUT });
  } catch (e) {
    const text = await page.locator(selector).allInnerTexts().catch(() => []);
    throw new Error(`${label}: no ${selector} with ${what} within ${TIMEOUT} ms; saw ${JSON.stringify(text)}`);
  }
}

const scenarios = {
  async chat(a, b) {
    const room = 'browser-' + Date.now();
    await a.goto(`${urlA}/_outpost/demo/chat?room=${room}&user=ana`);
    await b.goto(`${urlB}/_outpost/demo/chat?room=${room}&user=ben`);
    await seeText(a, '#state', 'connected to room', 'A connects');
    await seeText(b, '#state', 'connected to room', 'B connects');
    await seeText(a, '#here', 'ben', 'A sees ben here');
    await seeText(b, '#here', 'ana', 'B sees ana here');
    ok('both connected, each sees the other present');
    await a.fill('input[name=text]', 'hello from eu-west');
    await a.press('input[name=text]', 'Enter');
    await seeText(b, '#log div', 'ana: hello from eu-west', 'B sees A\'s message');
    ok('B sees the message typed in A');
    await b.fill('input[name=text]', 'hi from us-east');
    await b.press('input[name=text]', 'Enter');
    await seeText(a, '#log div', 'ben: hi from us-east', 'A sees B\'s message');
    ok('A sees the message typed in B');
  },
};

scenarios.todo = async (a, b) => {
  const list = 'browser-' + Date.now();
  await a.goto(`${urlA}/_outpost/demo/todo?list=${list}`);
  await b.goto(`${urlB}/_outpost/demo/todo?list=${list}`);
  await seeText(a, '#state', 'connected', 'A connects');
  await seeText(b, '#state', 'connected', 'B connects');
  await a.fill('input[name=title]', 'milk');
  await a.press('input[name=title]', 'Enter');
  await b.locator('#items li:not(.pending)', { hasText: 'milk' }).waitFor({ timeout: TIMEOUT });
  await a.locator('#items li:not(.pending)', { hasText: 'milk' }).waitFor({ timeout: TIMEOUT });
  ok('B sees the item added in A, confirmed in both');
  // A duplicate (the list ignores case): shown at once in B, then refused and rolled back.
  await b.fill('input[name=title]', 'Milk');
  await b.press('input[name=title]', 'Enter');
  await seeText(b, '#notice', 'already on the list', 'B is told its duplicate was refused');
  const log = await b.evaluate(() => window.todoLog);
  if (!log.includes('optimistic add Milk') || !log.some((l) => l.startsWith('rollback add Milk:'))) {
    throw new Error('B did not show the duplicate optimistically, then roll it back: ' + JSON.stringify(log));
  }
  const inB = await b.locator('#items li').allInnerTexts();
  if (inB.length !== 1) throw new Error('B should be back to one item after the rollback: ' + JSON.stringify(inB));
  ok('B showed the duplicate at once, then rolled it back when the list refused it');
  await b.locator('#items li', { hasText: 'milk' }).locator('input[type=checkbox]').check();
  await a.locator('#items li.done:not(.pending)', { hasText: 'milk' }).waitFor({ timeout: TIMEOUT });
  ok('A sees the item checked in B');
  await a.fill('input[name=title]', 'bread');
  await a.press('input[name=title]', 'Enter');
  await b.locator('#items li:not(.pending)', { hasText: 'bread' }).waitFor({ timeout: TIMEOUT });
  await b.locator('#items li', { hasText: 'milk' }).locator('button').click();
  await a.locator('#items li', { hasText: 'milk' }).waitFor({ state: 'detached', timeout: TIMEOUT });
  const inA = await a.locator('#items li').allInnerTexts();
  if (inA.length !== 1 || !inA[0].includes('bread')) throw new Error('A should hold bread only: ' + JSON.stringify(inA));
  ok('A sees the item removed in B; never saw the refused duplicate');
};

scenarios.jobs = async (a, b) => {
  const job = 'browser-' + Date.now();
  const steps = 16;
  await a.goto(`${urlA}/_outpost/demo/jobs?job=${job}&steps=${steps}&stepMs=500`);
  await seeText(a, '#state', 'connected', 'A connects');
  await seeText(a, '#progress', 'idle', 'A sees the idle job');
  await b.goto(`${urlB}/_outpost/demo/jobs?job=${job}`);
  await seeText(b, '#state', 'connected', 'B connects');
  await seeText(b, '#progress', 'idle', 'B sees the idle job');
  await a.click('#start');
  await seeText(b, '#progress', new RegExp(`running [2-9]/${steps}`), 'B sees the job started in A advance');
  await seeText(a, '#progress', new RegExp(`running [2-9]/${steps}`), 'A sees its job advance');
  ok('B sees the progress of the job started in A');
  const before = await b.evaluate(() => window.jobLog.length);
  await restartOwner('jobs/' + job);
  ok('the node that owns the job restarted');
  for (const [label, page] of [['A', a], ['B', b]]) {
    try {
      await page.locator('#progress', { hasText: `done ${steps}/${steps}` }).waitFor({ timeout: 45000 });
    } catch (e) {
      throw new Error(`${label} never saw the job done: ${JSON.stringify(await page.evaluate(() => window.jobLog))}`);
    }
  }
  const log = await b.evaluate(() => window.jobLog);
  const after = log.slice(before).filter((l) => l.startsWith('running'));
  if (after.length === 0) throw new Error('B saw no step after the restart: ' + JSON.stringify(log));
  ok('both see the job go on after the restart and finish: ' + after.length + ' steps seen by B after it');
};

scenarios.stream = async (a, b) => {
  const name = 'browser-' + Date.now();
  await a.goto(`${urlA}/_outpost/demo/stream?c=${name}`);
  await b.goto(`${urlB}/_outpost/demo/stream?c=${name}`);
  await seeText(a, '#state', 'connected over sse', 'A connects over SSE');
  await seeText(b, '#state', 'connected over sse', 'B connects over SSE');
  await a.fill('input[name=question]', 'why durable?');
  await a.press('input[name=question]', 'Enter');
  await seeText(b, '#answer', 'You asked: "why durable?"', 'B sees the answer to A\'s question stream');
  ok('B sees the answer to the question asked in A streaming');
  await a.waitForFunction(() => /streaming, ([89]|\d\d+) tokens/.test(document.getElementById('progress').textContent),
    null, { timeout: TIMEOUT });
  const beforeReload = await a.locator('#answer').innerText();
  await a.reload();
  await seeText(a, '#state', 'resumed with Last-Event-ID', 'A resumes after the reload');
  ok('A reloaded mid-answer (' + beforeReload.split(' ').length + ' words shown) and resumed with Last-Event-ID');
  for (const [label, page] of [['A', a], ['B', b]]) {
    try {
      await page.locator('#progress', { hasText: 'done' }).waitFor({ timeout: TIMEOUT });
    } catch (e) {
      throw new Error(`${label} never saw the answer done: ${await page.locator('#progress').innerText()}`);
    }
  }
  const expected = JSON.parse(await (await fetch(`${urlB}/objects/stream/${name}`)).text()).text;
  const textA = await a.evaluate(() => document.getElementById('answer').textContent);
  const textB = await b.evaluate(() => document.getElementById('answer').textContent);
  if (textA !== expected || textB !== expected) {
    throw new Error('the answers differ from the object\'s:\nA: ' + textA + '\nB: ' + textB + '\nobject: ' + expected);
  }
  const log = await a.evaluate(() => window.streamLog);
  if (!log.includes('open resumed') || log.some((l) => l.startsWith('unexpected'))) {
    throw new Error('A did not resume cleanly: ' + JSON.stringify(log));
  }
  ok('both end with the whole answer, A with no token lost or repeated across the reload');
};

scenarios.counter = async (a, b) => {
  const name = 'browser-' + Date.now();
  await a.goto(`${urlA}/_outpost/demo/counter?counter=${name}`);
  await b.goto(`${urlB}/_outpost/demo/counter?counter=${name}`);
  await seeText(a, '#state', 'connected', 'A connects');
  await seeText(b, '#state', 'connected', 'B connects');
  await seeText(b, '#value', /^0$/, 'B sees 0');
  for (let i = 1; i <= 3; i++) {
    await a.click('#increment');
    await seeText(a, '#last', 'you made it ' + i, 'A\'s increment ' + i + ' is acknowledged');
  }
  await seeText(b, '#value', /^3$/, 'B sees the three increments made in A');
  ok('B sees the increments made in A');
  await b.click('#increment');
  await seeText(a, '#value', /^4$/, 'A sees the increment made in B');
  ok('A sees the increment made in B');
};

// The JS client itself, without a demo page: A imports the ES module's named exports
// (/_outpost/client.mjs), B imports the classic file as a side-effect module and uses
// globalThis.Outpost; both chat in one room through different regions.
scenarios['client-module'] = async (a, b) => {
  const room = 'module-' + Date.now();
  await a.goto(`${urlA}/_outpost/demo/`);
  await b.goto(`${urlB}/_outpost/demo/`);
  const chat = async ({ room, how }) => {
    const connect = how === 'named'
      ? (await import('/_outpost/client.mjs')).connect
      : (await import('/_outpost/client.js'), globalThis.Outpost.connect);
    const conn = connect(location.origin + '/objects/chat/' + room);
    window.received = [];
    conn.on('message', (data) => window.received.push(data));
    await new Promise((resolve, reject) => {
      conn.on('open', resolve);
      setTimeout(() => reject(new Error('no open within 15 s')), 15000);
    });
    window.conn = conn;
    return conn.transport;
  };
  const ta = await a.evaluate(chat, { room, how: 'named' });
  const tb = await b.evaluate(chat, { room, how: 'global' });
  ok(`A connected with the ES module's named export (${ta}), B with the classic file imported as a module (${tb})`);
  await a.evaluate(() => window.conn.send('from the module'));
  await b.waitForFunction(() => window.received.includes('from the module'), null, { timeout: TIMEOUT });
  await b.evaluate(() => window.conn.send('from the script'));
  await a.waitForFunction(() => window.received.includes('from the script'), null, { timeout: TIMEOUT });
  ok('each sees the message the other sent');
};

// CORS: A is a page of an app on an origin the routers allow; from there the JS client reaches the
// other region's router over SSE and long polling, and connectNearest reads both routers' health.
// B is a page on an origin they do not allow: it reads nothing, and its POST never reaches the
// object. Extra arguments: ALLOWED_APP_ORIGIN DENIED_APP_ORIGIN.
scenarios['cross-origin'] = async (a, b) => {
  const [allowedOrigin, deniedOrigin] = extra;
  const room = 'cors-' + Date.now();
  await a.goto(`${allowedOrigin}/app.html`);
  await a.addScriptTag({ url: `${urlA}/_outpost/client.js` });
  for (const transport of ['sse', 'polling']) {
    const seen = await a.evaluate(async ({ url, transport }) => {
      const conn = Outpost.connect(url, { transports: [transport] });
      const got = new Promise((resolve, reject) => {
        conn.on('message', (data) => { if (data === 'hi over ' + transport) resolve(conn.transport); });
        setTimeout(() => reject(new Error('nothing over ' + transport + ' within 15 s')), 15000);
      });
      conn.send('hi over ' + transport);
      try { return await got; } finally { conn.close(); }
    }, { url: `${urlB}/objects/chat/${room}`, transport });
    if (seen !== transport) throw new Error(`chatted over ${seen}, not ${transport}`);
    ok(`the allowed origin's page chatted over ${transport}` +
      (transport === 'sse' ? ' through the other region\'s router' : ''));
  }
  const ranked = await a.evaluate(async (seeds) =>
    (await Outpost.nearest(seeds, { clientRegion: 'eu-west' })).map((r) => r.rtt), [urlA]);
  if (ranked.length !== 2 || !ranked.every(Number.isFinite)) {
    throw new Error('connectNearest/nearest from the allowed origin ranked ' + JSON.stringify(ranked));
  }
  ok('connectNearest ranked both routers from the allowed origin: ' + ranked.map(Math.round).join(' and ') + ' ms');

  await b.goto(`${deniedOrigin}/app.html`);
  const health = await b.evaluate(async (url) => {
    try { await fetch(url + '/_outpost/health'); return 'read'; } catch (e) { return 'refused'; }
  }, urlA);
  if (health !== 'refused') throw new Error('the denied origin could read the health: ' + health);
  ok('the denied origin\'s page could not read health');
  const counter = `${urlA}/objects/counter/${room}`;
  await b.evaluate(async (url) => {
    // A simple request (no preflight): the browser sends it; the router must refuse it itself.
    try { await fetch(url, { method: 'POST', body: 'x', headers: { 'Content-Type': 'text/plain' } }); } catch (e) { /* unreadable */ }
  }, counter);
  const value = await a.evaluate(async (url) => (await fetch(url)).text(), counter);
  if (value.trim() !== '0') {
    throw new Error('the counter moved after the denied POST: ' + value);
  }
  ok('the denied origin\'s POST never reached the object (counter: ' + value.trim() + ')');
};

// Cross-Site WebSocket Hijacking: a page of an allowed origin opens a WebSocket to a router and
// chats; a page of another origin is refused (403 before any object wakes: the browser sees the
// socket fail without opening). Extra arguments: ALLOWED_APP_ORIGIN DENIED_APP_ORIGIN.
scenarios['websocket-origin'] = async (a, b) => {
  const [allowedOrigin, deniedOrigin] = extra;
  const url = `${urlA.replace(/^http/, 'ws')}/objects/chat/ws-origin-${Date.now()}`;
  const attempt = (page) => page.evaluate((url) => new Promise((resolve) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => resolve('no answer within 15 s'), 15000);
    ws.onopen = () => ws.send('hello from ' + location.origin);
    ws.onmessage = (e) => { clearTimeout(timer); ws.close(); resolve('echo: ' + e.data); };
    ws.onerror = () => { clearTimeout(timer); resolve('refused'); };
  }), url);
  await a.goto(`${allowedOrigin}/app.html`);
  const allowed = await attempt(a);
  if (allowed !== 'echo: hello from ' + allowedOrigin) throw new Error('the allowed origin\'s WebSocket: ' + allowed);
  ok('the allowed origin\'s page chatted over a WebSocket');
  await b.goto(`${deniedOrigin}/app.html`);
  const denied = await attempt(b);
  if (denied !== 'refused') throw new Error('the denied origin\'s WebSocket was not refused: ' + denied);
  ok('the denied origin\'s WebSocket was refused');
};

scenarios.playback = async (a, b) => {
  const room = 'browser-' + Date.now();
  const SKEW = { A: 3000, B: -2000 };
  const TOLERANCE = 50;
  // Each context's clock is wrong by SKEW ms: Date.now() and performance.timeOrigin (which the page
  // reads) are shifted; window.__realTime() keeps the true time, for this test to line up samples.
  for (const [label, page] of [['A', a], ['B', b]]) {
    await page.addInitScript((shift) => {
      const realOrigin = performance.timeOrigin;
      const realDateNow = Date.now.bind(Date);
      window.__realTime = () => realOrigin + performance.now();
      Date.now = () => realDateNow() + shift;
      Object.defineProperty(Performance.prototype, 'timeOrigin', { get: () => realOrigin + shift, configurable: true });
    }, SKEW[label]);
  }
  await a.goto(`${urlA}/_outpost/demo/playback?room=${room}&user=ana`);
  await b.goto(`${urlB}/_outpost/demo/playback?room=${room}&user=ben`);
  for (const [label, page] of [['A', a], ['B', b]]) {
    const seen = await page.evaluate(() => ({
      date: Date.now() - window.__realTime(),
      origin: performance.timeOrigin + performance.now() - window.__realTime(),
    }));
    if (Math.abs(seen.date - SKEW[label]) > 5 || Math.abs(seen.origin - SKEW[label]) > 1) {
      throw new Error(`${label}'s clock is not skewed by ${SKEW[label]} ms: ${JSON.stringify(seen)}`);
    }
  }
  ok(`A's clock runs ${SKEW.A} ms ahead, B's ${-SKEW.B} ms behind (Date.now and performance.timeOrigin)`);
  await seeText(a, '#state', 'connected', 'A connects');
  await seeText(b, '#state', 'connected', 'B connects');
  await seeText(a, '#viewers', 'ben', 'A sees ben watching');
  await seeText(b, '#viewers', 'ana', 'B sees ana watching');
  const offsets = {};
  for (const [label, page] of [['A', a], ['B', b]]) {
    try {
      await page.waitForFunction(() => window.playback.samples >= 8, null, { timeout: TIMEOUT });
    } catch (e) {
      throw new Error(`${label} did not finish its first time sync: ${await page.evaluate(() => window.playback.samples)} samples`);
    }
    const { offsetMs, rttMs } = await page.evaluate(() => ({ offsetMs: window.playback.offsetMs, rttMs: window.playback.rttMs }));
    // The server's clock is the true one, so the true offset is -SKEW; NTP's error is at most rtt/2.
    const error = offsetMs + SKEW[label];
    if (Math.abs(error) > rttMs / 2 + 5) {
      throw new Error(`${label} estimated its offset as ${offsetMs.toFixed(1)} ms (rtt ${rttMs.toFixed(1)}); the truth is ${-SKEW[label]}`);
    }
    await seeText(page, '#offset', /[+-]\d+\.\d ms/, `${label} shows its offset`);
    offsets[label] = `offset ${offsetMs.toFixed(1)} ms (error ${error.toFixed(1)}), rtt ${rttMs.toFixed(1)} ms`;
  }
  ok(`both estimated their offset to the server: A ${offsets.A}; B ${offsets.B}`);

  /** Both positions at (nearly) one true instant: the difference, corrected for the time between the two reads. */
  async function together() {
    const read = () => ({ position: window.playback.position(), real: window.__realTime(), state: window.playback.state });
    const start = performance.now();
    const [ra, rb] = await Promise.all([a.evaluate(read), b.evaluate(read)]);
    const latency = performance.now() - start;
    const rate = ra.state.playing ? ra.state.rate : 0;
    return { diff: (ra.position - rb.position) - (ra.real - rb.real) * rate, apart: ra.real - rb.real, latency, a: ra, b: rb };
  }
  async function agree(what, times) {
    const diffs = [];
    for (let i = 0; i < times; i++) {
      const t = await together();
      if (Math.abs(t.diff) > TOLERANCE) {
        throw new Error(`${what}: A at ${t.a.position.toFixed(1)} ms, B at ${t.b.position.toFixed(1)} ms, read ${t.apart.toFixed(1)} ms apart: ${t.diff.toFixed(1)} ms off (limit ${TOLERANCE})`);
      }
      diffs.push(t);
      await new Promise((r) => setTimeout(r, 250));
    }
    return diffs;
  }
  const shown = (diffs) => diffs.map((t) => t.diff.toFixed(1)).join(', ') + ' ms (reads ' +
    Math.max(...diffs.map((t) => Math.abs(t.apart))).toFixed(1) + ' ms apart at most, evaluate ' +
    Math.max(...diffs.map((t) => t.latency)).toFixed(0) + ' ms at most)';
  const stateOf = (page) => page.evaluate(() => window.playback.state);
  async function waitState(page, label, test, what) {
    try {
      await page.waitForFunction(test, null, { timeout: TIMEOUT });
    } catch (e) {
      throw new Error(`${label} never saw ${what}: state ${JSON.stringify(await stateOf(page))}`);
    }
  }

  await a.click('#play');
  await waitState(b, 'B', () => window.playback.state && window.playback.state.playing, 'the play pressed in A');
  await waitState(a, 'A', () => window.playback.state && window.playback.state.playing, 'its own play');
  await seeText(b, '#play', 'Pause', 'B offers to pause');
  const playing = await agree('playing', 8);
  const first = playing[0].a.position;
  if (first <= 0 || playing[playing.length - 1].a.position - first < 1500) {
    throw new Error('the position does not advance: ' + playing.map((t) => t.a.position.toFixed(0)).join(', '));
  }
  ok(`A pressed play, B plays; positions A - B at one instant: ${shown(playing)}`);

  await b.fill('#seek-to', '120');
  await b.press('#seek-to', 'Enter');
  await waitState(a, 'A', () => window.playback.state.cause === 'seek', 'the seek made in B');
  // B hears its own seek back through its router (us-east, emulated latency), maybe after A.
  await waitState(b, 'B', () => window.playback.state.cause === 'seek', 'its own seek');
  const sought = await agree('after the seek', 6);
  const at = sought[0].a.position;
  if (at < 120000 || at > 125000) throw new Error('A is at ' + at + ' ms after the seek to 120 s');
  ok(`B sought to 120 s, A follows (at ${(at / 1000).toFixed(2)} s); A - B: ${shown(sought)}`);

  await b.click('#play');
  await waitState(a, 'A', () => !window.playback.state.playing, 'the pause made in B');
  await waitState(b, 'B', () => !window.playback.state.playing, 'its own pause');
  const stopped = await together();
  await new Promise((r) => setTimeout(r, 300));
  const later = await together();
  if (Math.abs(stopped.a.position - stopped.b.position) > TOLERANCE || later.a.position !== stopped.a.position || later.b.position !== stopped.b.position) {
    throw new Error(`after the pause: A at ${stopped.a.position} then ${later.a.position}, B at ${stopped.b.position} then ${later.b.position}`);
  }
  const paused = await stateOf(a);
  if (paused.by !== 'ben' || paused.cause !== 'pause') throw new Error('A should know ben paused: ' + JSON.stringify(paused));
  await seeText(a, '#last', 'pause by ben', 'A shows who paused');
  ok(`B paused; both stopped at ${(stopped.a.position / 1000).toFixed(3)} s, A - B ${(stopped.a.position - stopped.b.position).toFixed(1)} ms`);

  await b.fill('#seek-to', '9999');
  await b.press('#seek-to', 'Enter');
  await seeText(b, '#notice', 'whole number of milliseconds 0..300000', 'B is told its seek is past the end');
  const after = await stateOf(a);
  if (after.version !== paused.version) throw new Error('the refused seek changed the state: ' + JSON.stringify(after));
  ok('B\'s seek past the end was refused with the reason; nothing changed');
};

scenarios.notifications = async (a, b) => {
  const stamp = Date.now();
  const ben = 'ben-' + stamp;
  const ana = 'ana-' + stamp;
  const inbox = `${urlB}/_outpost/demo/notifications?user=${ben}`;
  // Ben's inbox three ways, none told which transport to use: B as it is, one context where
  // WebSocket upgrades fail (as behind a proxy that refuses them), one where event streams are
  // refused too. The client must fall back by itself to SSE, then to long polling.
  const noWs = await newPage('b-no-websocket');
  await noWs.context().routeWebSocket(/\/objects\/notifications\//,
    (ws) => ws.close({ code: 1006, reason: 'WebSocket upgrades are blocked here' }));
  const noWsNoSse = await newPage('b-no-websocket-no-sse');
  await noWsNoSse.context().routeWebSocket(/\/objects\/notifications\//,
    (ws) => ws.close({ code: 1006, reason: 'WebSocket upgrades are blocked here' }));
  await noWsNoSse.context().route(/\/objects\/notifications\//, (route) => {
    if ((route.request().headers().accept || '').includes('text/event-stream')) {
      return route.fulfill({ status: 502, contentType: 'text/plain', body: 'event streams are blocked here' });
    }
    return route.fallback();
  });
  const bens = [['websocket', b], ['sse', noWs], ['polling', noWsNoSse]];
  for (const [, page] of bens) await page.goto(inbox);
  for (const [transport, page] of bens) {
    await seeText(page, '#transport', new RegExp(`^${transport}$`), `ben's page connects over ${transport}`);
    await seeText(page, '#unread', /^0$/, `ben's ${transport} page shows the empty inbox`);
  }
  const logs = await Promise.all(bens.map(([, page]) => page.evaluate(() => window.notifyLog)));
  const downs = logs.map((log) => log.filter((l) => l.startsWith('transportdown')).map((l) => l.split(' ')[1]));
  if (downs[0].length !== 0 || downs[1].join() !== 'websocket' || downs[2].join() !== 'websocket,sse') {
    throw new Error('ben\'s pages did not fall back as expected: ' + JSON.stringify(logs));
  }
  ok('ben\'s three pages connected by themselves over websocket, sse (WebSocket blocked) and polling (WebSocket and SSE blocked)');

  await a.goto(`${urlA}/_outpost/demo/notifications?user=${ana}&transport=sse`);
  await seeText(a, '#transport', /^sse$/, 'ana\'s page, told transport=sse, connects over sse');
  ok('ana\'s page, with transport=sse, connected over sse');

  async function send(text, expectSent) {
    await a.fill('input[name=to]', ben);
    await a.fill('input[name=text]', text);
    await a.press('input[name=text]', 'Enter');
    await seeText(a, '#sent', expectSent, 'A sends "' + text.slice(0, 20) + '" to ben');
  }
  async function allBens(unread, what) {
    for (const [transport, page] of bens) {
      await seeText(page, '#unread', new RegExp(`^${unread}$`), `ben's ${transport} page: ${what}, unread ${unread}`);
    }
  }
  await send('hello ben, one', /^sent to .* as #1$/);
  for (const [transport, page] of bens) {
    await seeText(page, '#items li.unread', 'hello ben, one', `ben's ${transport} page shows the first notification`);
  }
  await allBens(1, 'after the first notification');
  ok('all three of ben\'s pages show the notification sent from A, unread 1');
  await send('hello ben, two', /^sent to .* as #2$/);
  for (const [transport, page] of bens) {
    await seeText(page, '#items li.unread', 'hello ben, two', `ben's ${transport} page shows the second notification`);
  }
  await allBens(2, 'after the second notification');
  ok('all three of ben\'s pages show the second notification, unread 2');

  await noWsNoSse.locator('#items li', { hasText: 'hello ben, one' }).locator('button.mark-read').click();
  await allBens(1, 'after one was marked read in the polling page');
  for (const [transport, page] of bens) {
    await seeText(page, '#items li.read', 'hello ben, one', `ben's ${transport} page shows the first as read`);
    await seeText(page, '#items li.unread', 'hello ben, two', `ben's ${transport} page still shows the second unread`);
  }
  ok('marking one read in the polling page updated unread to 1 in all three');
  await b.click('#mark-all');
  await allBens(0, 'after mark all read in the websocket page');
  ok('mark all read in the websocket page updated unread to 0 in all three');

  await send('x'.repeat(281), /refused: HTTP 400: "text" is 281 characters; the limit is 280/);
  for (const [transport, page] of bens) {
    const count = await page.locator('#items li').count();
    const unread = await page.locator('#unread').innerText();
    if (count !== 2 || unread !== '0') throw new Error(`ben's ${transport} page changed after a refused send: ${count} items, unread ${unread}`);
  }
  ok('a too-long notification from A was refused with the reason, and ben\'s pages did not change');
};

/** The admin page through router A: token, the test's objects by name, details, evict, move, delete. */
scenarios.admin = async (a, b) => {
  const [token] = extra;
  const stamp = Date.now();
  const nameA = `admin-${stamp}-eu`;
  const nameB = `admin-${stamp}-us`;
  async function counter(url, name, method) {
    const res = await fetch(`${url}/objects/counter/${name}`, { method });
    if (!res.ok) throw new Error(`${method} counter/${name} through ${url}: ${res.status} ${await res.text()}`);
    return (await res.text()).trim();
  }
  await counter(urlA, nameA, 'POST');
  await counter(urlA, nameA, 'POST');
  for (let i = 0; i < 3; i++) await counter(urlB, nameB, 'POST');

  await a.goto(`${urlA}/_outpost/admin?namespace=counter`);
  await seeText(a, '#status', 'enter the admin token', 'A is asked for the token');
  await a.fill('#token', 'not-the-token');
  await a.click('#sign-in');
  await seeText(a, '#status', 'token is wrong', 'A is told the token is wrong');
  ok('the page asks for the token and refuses a wrong one');
  await a.fill('#token', token);
  await a.click('#sign-in');
  const rowA = a.locator(`tr.object[data-name="${nameA}"]`);
  const rowB = a.locator(`tr.object[data-name="${nameB}"]`);
  await rowA.waitFor({ timeout: TIMEOUT });
  await rowB.waitFor({ timeout: TIMEOUT });
  const cellsA = await rowA.locator('td').allInnerTexts();
  const cellsB = await rowB.locator('td').allInnerTexts();
  // name, id, owner, region, epoch, state, live, connections, keys, bytes, alarm
  if (cellsA[2] !== 'node-1' || cellsA[3] !== 'eu-west' || cellsB[2] !== 'node-2' || cellsB[3] !== 'us-east') {
    throw new Error('owners: ' + JSON.stringify([cellsA, cellsB]));
  }
  if (cellsA[8] !== '1' || !(Number(cellsA[9]) > 0) || cellsB[8] !== '1' || !(Number(cellsB[9]) > 0)) {
    throw new Error('stored keys and bytes: ' + JSON.stringify([cellsA, cellsB]));
  }
  await a.locator('#map .node[data-node="node-2"]').waitFor({ timeout: TIMEOUT });
  ok('the admin page lists the test\'s objects by name, owned by node-1 and node-2, with their storage');

  a.on('dialog', (dialog) => dialog.accept());
  await rowB.click();
  await seeText(a, '#detail dd[data-field=name]', nameB, 'A shows B\'s object');
  await seeText(a, '#detail dd[data-field=owner]', 'node-2', 'its owner');
  await a.click('#evict');
  await seeText(a, '#status', `evicted: counter/${nameB}`, 'A evicts it');
  await seeText(a, '#detail dd[data-field=live]', 'no', 'it is no longer live');
  if (await counter(urlA, nameB, 'GET') !== '3') throw new Error('evict lost the count');
  ok('evict, confirmed in a dialog, dropped the instance and kept its storage');

  await a.selectOption('#move-region', 'eu-west');
  await a.click('#move');
  await seeText(a, '#status', `moved: counter/${nameB}`, 'A moves it to eu-west');
  await seeText(a, '#detail dd[data-field=owner]', 'node-1', 'its new owner');
  if (await counter(urlB, nameB, 'POST') !== '4') throw new Error('the move lost the count');
  ok('move to eu-west through the page: node-1 owns it, its count went on');

  await rowA.click();
  await seeText(a, '#detail dd[data-field=name]', nameA, 'A shows its object');
  await a.click('#delete');
  await seeText(a, '#status', `deleted: counter/${nameA} (1 keys`, 'A deletes it');
  await seeText(a, '#detail dd[data-field="stored keys"]', /^0$/, 'no keys left');
  if (await counter(urlB, nameA, 'GET') !== '0') throw new Error('the deleted counter is not empty');
  ok('delete, confirmed in a dialog, removed its storage: it starts again from 0');

  await b.goto(`${urlB}/_outpost/admin`);
  await seeText(b, '#status', 'enter the admin token', 'another browser context has no token');
  ok('the token stays in its tab: another context is asked for it');
};

scenarios.doc = async (a, b) => {
  const room = 'browser-' + Date.now();
  const text = (page) => page.inputValue('#text');
  /** Waits until page's textarea satisfies test(value); label and the last value in the error. */
  async function textUntil(page, test, label, timeout = TIMEOUT) {
    const deadline = Date.now() + timeout;
    let value;
    while (!test(value = await text(page))) {
      if (Date.now() > deadline) throw new Error(`${label}: not within ${timeout} ms; the text is ${JSON.stringify(value)}`);
      await page.waitForTimeout(50);
    }
    return value;
  }
  await a.goto(`${urlA}/_outpost/demo/doc?room=${room}&user=ana`);
  await b.goto(`${urlB}/_outpost/demo/doc?room=${room}&user=ben`);
  await seeText(a, '#state', 'in sync', 'A syncs');
  await seeText(b, '#state', 'in sync', 'B syncs');
  await seeText(a, '#here', 'ben', 'A sees ben here');
  await seeText(b, '#here', 'ana', 'B sees ana here');
  ok('both in sync, each sees the other in #here');

  await a.locator('#text').pressSequentially('Hello from eu-west.');
  await textUntil(b, (v) => v === 'Hello from eu-west.', 'B shows what A typed');
  ok('B sees the text typed in A');
  await b.locator('#text').press('Control+End');
  await b.locator('#text').pressSequentially(' And from us-east.');
  await textUntil(a, (v) => v === 'Hello from eu-west. And from us-east.', 'A shows what B typed');
  ok('A sees the text typed in B');

  // Both type at once: A at the start, B at the end, each key while the other's edits arrive.
  const fromA = '[ana was here] ';
  const fromB = ' [ben too]';
  await a.locator('#text').press('Control+Home');
  await b.locator('#text').press('Control+End');
  await Promise.all([
    a.locator('#text').pressSequentially(fromA, { delay: 15 }),
    b.locator('#text').pressSequentially(fromB, { delay: 15 }),
  ]);
  const expected = fromA + 'Hello from eu-west. And from us-east.' + fromB;
  await textUntil(a, (v) => v === expected, 'A converges');
  await textUntil(b, (v) => v === expected, 'B converges');
  ok('A and B typed at once and both end with the same text holding both inputs, each in one piece');

  // B selects "eu-west" (forward: the caret at its end); A shows ben's selection and caret there.
  const from = expected.indexOf('eu-west');
  const to = from + 'eu-west'.length;
  await b.locator('#text').focus();
  await b.evaluate(([s, e]) => document.getElementById('text').setSelectionRange(s, e, 'forward'), [from, to]);
  const selection = a.locator('#mirror .sel[data-user~="ben"]');
  try {
    await selection.filter({ hasText: /^eu-west$/ }).waitFor({ timeout: TIMEOUT });
  } catch (e) {
    throw new Error('A shows no selection of ben over "eu-west": ' + JSON.stringify(await a.locator('#mirror').innerHTML()));
  }
  const shown = await selection.evaluate((el) => [Number(el.dataset.from), Number(el.dataset.to)]);
  const caretAt = Number(await a.locator('#mirror .caret[data-user="ben"]').getAttribute('data-at'));
  if (shown[0] !== from || shown[1] !== to || caretAt !== to) {
    throw new Error(`ben's selection in A is ${shown} with the caret at ${caretAt}; expected ${from},${to} with the caret at ${to}`);
  }
  const [sel, box] = [await selection.boundingBox(), await a.locator('#text').boundingBox()];
  if (!sel || sel.width < 10 || sel.x < box.x || sel.y < box.y || sel.x + sel.width > box.x + box.width) {
    throw new Error('ben\'s selection is not drawn inside A\'s textarea: ' + JSON.stringify({ sel, box }));
  }
  ok(`A shows ben's selection of "eu-west" (${from}-${to}) with his caret at ${to}`);
  // A edits before ben's selection: the selection stays on the same characters (relative positions).
  await a.locator('#text').press('Control+Home');
  await a.locator('#text').pressSequentially('>> ');
  await selection.filter({ hasText: /^eu-west$/ }).and(a.locator(`[data-from="${from + 3}"]`)).waitFor({ timeout: TIMEOUT });
  const final = await textUntil(b, (v) => v === '>> ' + expected, 'B shows A\'s last edit');
  const [bs, be] = await b.evaluate(() => [document.getElementById('text').selectionStart, document.getElementById('text').selectionEnd]);
  if (bs !== from + 3 || be !== to + 3) throw new Error(`B's own selection moved to ${bs}-${be}; expected ${from + 3}-${to + 3}`);
  ok('after A typed before it, ben\'s selection still covers "eu-west" in A, and in B itself');

  // B's browser goes away without a goodbye: ben leaves A's list within 5 s.
  const closedAt = Date.now();
  await b.context().close();
  try {
    await a.locator('#here .who[data-user="ben"]').waitFor({ state: 'detached', timeout: 5000 });
  } catch (e) {
    throw new Error('ben is still in A\'s #here 5 s after B closed: ' + await a.locator('#here').innerText());
  }
  await a.locator('#mirror .caret[data-user="ben"]').waitFor({ state: 'detached', timeout: TIMEOUT });
  ok(`ben left A's #here ${Date.now() - closedAt} ms after B's browser context closed; his cursor went with him`);

  // Everyone leaves; a new browser joins later and gets the whole text from the room's storage.
  const browser = a.context().browser();
  await a.context().close();
  await new Promise((r) => setTimeout(r, 300)); // let the room see A go
  const context = await browser.newContext();
  const c = await context.newPage();
  c.on('pageerror', (err) => console.log(`[c page error] ${err.message}`));
  await c.goto(`${urlB}/_outpost/demo/doc?room=${room}&user=cy`);
  await seeText(c, '#state', 'in sync', 'C syncs');
  await textUntil(c, (v) => v === final, 'C gets the whole text');
  const people = await c.locator('#here .who').allInnerTexts();
  if (people.length !== 1 || people[0] !== 'cy (you)') throw new Error('C should be alone in the room: ' + JSON.stringify(people));
  ok('C, joining after everyone left, got the whole text (' + final.length + ' chars) from storage');

  // Refusals: an edit past the length limit is undone with a reason; a bad name connects nowhere.
  await c.locator('#text').press('Control+End');
  await c.evaluate(() => {
    const area = document.getElementById('text');
    area.setRangeText('x'.repeat(100001), area.value.length, area.value.length, 'end');
    area.dispatchEvent(new Event('input'));
  });
  await seeText(c, '#notice', 'the limit is 100000', 'C is told its oversized paste was undone');
  if (await text(c) !== final || await c.evaluate(() => window.docTest.ytext.toString()) !== final) {
    throw new Error('C\'s oversized paste changed the text');
  }
  await c.locator('#text').pressSequentially('!');
  await textUntil(c, (v) => v === final + '!', 'C types again after the refusal');
  // One emoji replaced by another sharing its high surrogate: the binding must not split the pair.
  await c.evaluate(() => {
    const area = document.getElementById('text');
    area.value += '\u{1F600}';
    area.dispatchEvent(new Event('input'));
    area.value = area.value.slice(0, -2) + '\u{1F601}';
    area.dispatchEvent(new Event('input'));
  });
  const last = final + '!\u{1F601}';
  const inC = await c.evaluate(() => window.docTest.ytext.toString());
  if (inC !== last) throw new Error('C\'s Y.Text is ' + JSON.stringify(inC) + ', expected ' + JSON.stringify(last));
  // The room's stored copy, read over HTTP and decoded by yjs in Node, is exactly that text.
  let stored;
  const deadline = Date.now() + TIMEOUT;
  do {
    const update = new Uint8Array(await (await fetch(`${urlA}/objects/yjs/${room}`)).arrayBuffer());
    const copy = new Y.Doc();
    Y.applyUpdate(copy, update);
    stored = copy.getText('text').toString();
    if (stored === last) break;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  if (stored !== last) throw new Error('the room stores ' + JSON.stringify(stored) + ', expected ' + JSON.stringify(last));
  await c.goto(`${urlB}/_outpost/demo/doc?room=${room}&user=c%20y`);
  await seeText(c, '#notice', 'user "c y" is not allowed', 'a name with a space is refused');
  await seeText(c, '#state', 'not connected', 'a refused name does not connect');
  await context.close();
  ok('an oversized paste was undone with a reason and lost nothing; an emoji swap kept its surrogate pair, as stored by the room; a bad user name was refused before connecting');
};

const scenario = scenarios[pageName];
if (!scenario) {
  console.log('no scenario for page ' + pageName + '; scenarios: ' + Object.keys(scenarios).join(', '));
  process.exit(2);
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-chromium-'));
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  env: { ...process.env, HOME: profile },
});
const pages = [];  // every page opened, A and B first; each has a label for logs and screenshots
const labels = [];
/** A page in a new browser context of its own (cookies, routes), labelled for logs and screenshots. */
async function newPage(label) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('console', (msg) => { if (msg.type() === 'error') console.log(`[${label} console] ${msg.text()}`); });
  page.on('pageerror', (err) => console.log(`[${label} page error] ${err.message}`));
  pages.push(page);
  labels.push(label);
  return page;
}
let failed = false;
try {
  await newPage('a');
  await newPage('b');
  await scenario(pages[0], pages[1]);
  ok('page ' + pageName);
} catch (e) {
  failed = true;
  console.log('FAILED ' + pageName + ': ' + (e && e.stack ? e.stack : e));
  fs.mkdirSync(shotDir, { recursive: true });
  for (const [i, page] of pages.entries()) {
    const file = path.join(shotDir, `${pageName}-${labels[i]}.png`);
    try {
      await page.screenshot({ path: file, fullPage: true });
      console.log('screenshot ' + file);
    } catch (err) {
      console.log('screenshot of ' + file + ' failed: ' + err.message);
    }
  }
} finally {
  await browser.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
  stdin.close();
}
process.exit(failed ? 1 : 0);
