// Unmodified yjs + y-websocket (pinned by package-lock.json) against an Outpost node's `yjs`
// namespace, driven by YjsIT. Each scenario prints "ok <scenario> ..." and exits 0, or prints why
// and exits 1.
//
//   node yjs-test.mjs SCENARIO HTTP_BASE_URL ROOM [ARG]
//   scenarios: converge [SECOND_ROUTER_URL] | late | offline | awareness | idle | write TEXT | read TEXT | child
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import { spawn } from 'node:child_process'

const [scenario, base, room, arg] = process.argv.slice(2)
const server = base.replace(/^http/, 'ws') + '/objects/yjs'
const providers = []

// ARG names a second router for the second doc of `converge` (a client on a non-owner node)
const connect = (doc, opts = {}, url = server) => {
  // disableBc: providers in one process must talk through the server, not a BroadcastChannel
  const p = new WebsocketProvider(url, room, doc, { WebSocketPolyfill: WebSocket, disableBc: true, ...opts })
  providers.push(p)
  return p
}
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))
const until = async (what, test, timeoutMs = 10000) => {
  const deadline = Date.now() + timeoutMs
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(20)
  }
}
const synced = (p, what) => until(`${what} to sync`, () => p.synced)
const fail = e => { console.log(`FAILED ${scenario}: ${e.stack || e}`); process.exit(1) }
const done = msg => {
  console.log(`ok ${scenario} ${msg}`)
  providers.forEach(p => p.destroy())
  setTimeout(() => process.exit(0), 100)
}

const scenarios = {
  // two docs converge under concurrent edits
  async converge () {
    const a = new Y.Doc(); const b = new Y.Doc()
    const pa = connect(a)
    await synced(pa, 'a')
    const pb = connect(b, {}, arg ? arg.replace(/^http/, 'ws') + '/objects/yjs' : server)
    await synced(pb, 'b')
    const ta = a.getText('t'); const tb = b.getText('t') // text, with deletions
    const la = a.getArray('l'); const lb = b.getArray('l') // tokens, never deleted
    const m = a.getMap('m')
    for (let i = 0; i < 100; i++) { // both type at once, at random places, without waiting
      ta.insert(Math.floor(Math.random() * (ta.length + 1)), `a${i};`)
      tb.insert(Math.floor(Math.random() * (tb.length + 1)), `b${i};`)
      if (i % 5 === 0 && tb.length > 4) tb.delete(Math.floor(Math.random() * (tb.length - 3)), 3)
      la.insert(Math.floor(Math.random() * (la.length + 1)), [`a${i}`])
      lb.insert(Math.floor(Math.random() * (lb.length + 1)), [`b${i}`])
      if (i % 7 === 0) { m.set('k', i); b.getMap('m').set('k', -i) }
      if (i % 20 === 0) await sleep(5)
    }
    const same = (x, y) => JSON.stringify(x.toJSON()) === JSON.stringify(y.toJSON())
    await until('the docs to converge', () => same(ta, tb) && same(la, lb) && same(m, b.getMap('m')) && la.length === 200)
    const tokens = new Set(la.toArray())
    for (let i = 0; i < 100; i++) {
      for (const who of ['a', 'b']) if (!tokens.has(`${who}${i}`)) throw new Error(`lost ${who}${i}`)
    }
    done(`${ta.length} chars, ${la.length} tokens`)
  },
  // a late joiner after everyone left gets the whole document (from storage)
  async late () {
    const a = new Y.Doc(); const b = new Y.Doc()
    const pa = connect(a); const pb = connect(b)
    await synced(pa, 'a'); await synced(pb, 'b')
    a.getText('t').insert(0, 'written by a. ')
    b.getArray('list').push(['from b', 42, { nested: true }])
    for (let i = 0; i < 200; i++) a.getText('t').insert(a.getText('t').length, `line ${i}\n`)
    await until('a and b to converge', () => a.getText('t').toString() === b.getText('t').toString() &&
      a.getArray('list').length === 3)
    const expected = a.getText('t').toString()
    pa.destroy(); pb.destroy()
    await sleep(300)
    const c = new Y.Doc(); const pc = connect(c)
    await synced(pc, 'the late joiner')
    await until('the whole document', () => c.getText('t').toString() === expected && c.getArray('list').length === 3)
    if (JSON.stringify(c.getArray('list').toJSON()) !== '["from b",42,{"nested":true}]') {
      throw new Error('list is ' + JSON.stringify(c.getArray('list').toJSON()))
    }
    done(`${expected.length} chars`)
  },
  // edits made while disconnected reach the peer after reconnect, both ways
  async offline () {
    const a = new Y.Doc(); const b = new Y.Doc()
    const pa = connect(a); const pb = connect(b)
    await synced(pa, 'a'); await synced(pb, 'b')
    a.getText('t').insert(0, 'shared. ')
    await until('b to see a', () => b.getText('t').toString() === 'shared. ')
    pa.disconnect()
    await until('a to be disconnected', () => !pa.wsconnected)
    a.getText('t').insert(a.getText('t').length, 'offline by a. ')
    b.getText('t').insert(0, 'online by b. ')
    await sleep(200)
    if (b.getText('t').toString().includes('offline')) throw new Error('an offline edit leaked')
    pa.connect()
    await until('both to have both edits', () => [a, b].every(d => {
      const s = d.getText('t').toString(); return s.includes('offline by a. ') && s.includes('online by b. ')
    }) && a.getText('t').toString() === b.getText('t').toString())
    done(a.getText('t').toString())
  },
  // the awareness of an abruptly terminated client disappears within 5 s
  async awareness () {
    const a = new Y.Doc(); const pa = connect(a)
    pa.awareness.setLocalStateField('user', { name: 'observer' })
    await synced(pa, 'the observer')
    const child = spawn(process.execPath, [process.argv[1], 'child', base, room], { stdio: ['ignore', 'pipe', 'inherit'] })
    let childId = null
    child.stdout.on('data', d => { const m = /child (\d+)/.exec(String(d)); if (m) childId = Number(m[1]) })
    await until('the child to start', () => childId !== null, 15000)
    await until("the child's awareness", () => pa.awareness.getStates().get(childId)?.user?.name === 'child')
    const killedAt = Date.now()
    child.kill('SIGKILL')
    await until("the child's awareness to go", () => !pa.awareness.getStates().has(childId), 5000)
    done(`removed ${Date.now() - killedAt} ms after SIGKILL`)
  },
  async child () {
    const d = new Y.Doc(); const p = connect(d)
    p.awareness.setLocalStateField('user', { name: 'child' })
    await synced(p, 'the child')
    console.log(`child ${d.clientID}`)
    await sleep(60000)
  },
  // an idle client stays connected for 40 s (y-websocket drops a connection silent for 30 s)
  async idle () {
    const a = new Y.Doc(); const pa = connect(a)
    await synced(pa, 'a')
    const socket = pa.ws
    let drops = 0
    pa.on('status', e => { if (e.status !== 'connected') drops++ })
    await sleep(40000)
    if (drops > 0 || pa.ws !== socket || !pa.wsconnected) throw new Error(`the connection dropped ${drops} times`)
    done('40 s on one connection')
  },
  // write, then read after a node restart
  async write () {
    const a = new Y.Doc(); const b = new Y.Doc()
    const pa = connect(a); const pb = connect(b)
    await synced(pa, 'a'); await synced(pb, 'b')
    a.getText('t').insert(0, arg)
    // b hears it only once the room's write is durable (the output gate)
    await until('b to hear it', () => b.getText('t').toString() === arg)
    done('written')
  },
  async read () {
    const c = new Y.Doc(); const pc = connect(c)
    await synced(pc, 'the reader')
    await until('the text', () => c.getText('t').toString() === arg)
    done(`read ${JSON.stringify(arg)}`)
  }
}

if (!scenarios[scenario]) fail(new Error('unknown scenario'))
setTimeout(() => fail(new Error('the scenario took over 90 s')), 90000).unref()
scenarios[scenario]().catch(fail)
