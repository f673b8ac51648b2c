// Drives the samples' demo pages in Debian's Chromium with playwright-core (never a downloaded
// browser): two browser contexts, each through a router of a different region, must see each
// other's actions. Run by BrowserPagesIT.
// Usage: node browser-test.mjs PAGE URL_A URL_B SCREENSHOT_DIR [CHROMIUM, default /usr/bin/chromium]
// Prints "ok ..." lines, exits 0 on success; on failure saves PAGE-a.png and PAGE-b.png in
// SCREENSHOT_DIR and exits 1. To restart the node that owns an object it prints
// "RESTART namespace/name" and waits for a line "RESTARTED" on its stdin.
import { chromium } from 'playwright-core';
import * as Y from 'yjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const [pageName, urlA, urlB, shotDir, chromiumPath] = process.argv.slice(2);
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
const pages = [];
let failed = false;
try {
  for (const label of ['a', 'b']) {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('console', (msg) => { if (msg.type() === 'error') console.log(`[${label} console] ${msg.text()}`); });
    page.on('pageerror', (err) => console.log(`[${label} page error] ${err.message}`));
    pages.push(page);
  }
  await scenario(pages[0], pages[1]);
  ok('page ' + pageName);
} catch (e) {
  failed = true;
  console.log('FAILED ' + pageName + ': ' + (e && e.stack ? e.stack : e));
  fs.mkdirSync(shotDir, { recursive: true });
  for (const [i, page] of pages.entries()) {
    const file = path.join(shotDir, `${pageName}-${'ab'[i]}.png`);
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
