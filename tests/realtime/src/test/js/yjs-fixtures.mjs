// Writes test cases for Outpost's Java port of yjs's update functions (YUpdates): random documents
// edited concurrently by several clients, their updates, and what yjs itself answers for
// Y.mergeUpdates, Y.diffUpdate and Y.encodeStateVectorFromUpdate on them. The Java test
// (samples YUpdatesTest) must produce the same bytes.
//
//   node yjs-fixtures.mjs OUT.json [seed] [rounds]
import * as Y from 'yjs'
import { writeFileSync } from 'node:fs'

const out = process.argv[2]
let seed = Number(process.argv[3] || 1)
const rounds = Number(process.argv[4] || 40)

const rand = () => { // mulberry32
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const int = n => Math.floor(rand() * n)
const pick = a => a[int(a.length)]
const b64 = u => Buffer.from(u).toString('base64')
const shuffle = a => { for (let i = a.length - 1; i > 0; i--) { const j = int(i + 1); [a[i], a[j]] = [a[j], a[i]] } return a }

const words = ['a', 'bc', 'héllo ', '日本語', '😀', 'x😀y', '\u{1F468}\u200D\u{1F469}', ' ', 'z'.repeat(40)]
const anyValues = () => pick([
  1, -1, 0, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, 1.5, -0.25, 0.1, 1e300, -0, null, true, false, 'str', '',
  { k: 1, n: { deep: [1, 'two', null] } }, [1, [2, [3]]], new Uint8Array([1, 2, 255]), { 2: 'b', 1: 'a', z: 0 },
  123456789012, 3.4028234663852886e38
])

const clientIds = [1, 2, 300, 70000, 4294967295, 123456789]
const docs = clientIds.map((id, i) => {
  const doc = new Y.Doc({ gc: i % 2 === 0 })
  doc.clientID = id
  return doc
})
const updates = []
docs.forEach(d => d.on('update', u => updates.push(u)))

const edit = doc => {
  const text = doc.getText('text')
  const map = doc.getMap('map')
  const arr = doc.getArray('arr')
  const xml = doc.getXmlFragment('xml')
  doc.transact(() => {
    for (let n = 1 + int(4); n > 0; n--) {
      switch (int(12)) {
        case 0: case 1: case 2:
          text.insert(int(text.length + 1), pick(words), rand() < 0.2 ? { bold: true } : undefined)
          break
        case 3:
          if (text.length > 0) { const at = int(text.length); text.delete(at, 1 + int(Math.min(5, text.length - at))) }
          break
        case 4:
          if (text.length > 1) text.format(int(text.length - 1), 1 + int(3), { italic: rand() < 0.5 ? true : null })
          else text.insertEmbed(0, { image: 'x.png' })
          break
        case 5: map.set(pick(['a', 'b', 'c', 'ключ']), anyValues()); break
        case 6: {
          const inner = pick([() => new Y.Map(), () => new Y.Array(), () => new Y.Text('in')])()
          map.set('nested' + int(3), inner)
          if (inner instanceof Y.Array) inner.insert(0, [1, 'x', { o: 1 }])
          if (inner instanceof Y.Map) inner.set('k', 'v')
          break
        }
        case 7: arr.insert(int(arr.length + 1), [anyValues(), anyValues()]); break
        case 8: if (arr.length > 0) { const at = int(arr.length); arr.delete(at, 1 + int(Math.min(3, arr.length - at))) } break
        case 9: {
          const el = new Y.XmlElement(pick(['p', 'h1', 'div']))
          el.setAttribute('class', 'c' + int(5))
          el.insert(0, [new Y.XmlText('t' + int(9))])
          xml.insert(int(xml.length + 1), [el])
          break
        }
        case 10: if (rand() < 0.3) map.set('sub', new Y.Doc({ autoLoad: rand() < 0.5 })); else arr.push([new Uint8Array([int(256)])]); break
        case 11: if (xml.length > 0) xml.delete(int(xml.length), 1); break
      }
    }
  })
}

const fullStates = []
for (let r = 0; r < rounds; r++) {
  docs.forEach(d => { if (rand() < 0.7) edit(d) })
  // partial, random gossip: some docs apply some of the others' updates
  if (rand() < 0.5) {
    const a = pick(docs); const b = pick(docs)
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
  }
  if (r % 10 === 9) fullStates.push(...docs.map(d => Y.encodeStateAsUpdate(d)))
}

const cases = { merge: [], diff: [], stateVector: [] }
const pool = [...updates, ...fullStates]
for (let i = 0; i < 80; i++) {
  const inputs = shuffle(Array.from({ length: 2 + int(7) }, () => pick(pool)))
  cases.merge.push({ inputs: inputs.map(b64), expected: b64(Y.mergeUpdates(inputs)) })
}
const merged = cases.merge.map(c => Buffer.from(c.expected, 'base64'))
for (let i = 0; i < 25; i++) { // merges of merges
  const inputs = shuffle(Array.from({ length: 2 + int(3) }, () => pick(merged)))
  cases.merge.push({ inputs: inputs.map(b64), expected: b64(Y.mergeUpdates(inputs)) })
}
const svs = [
  ...docs.map(d => Y.encodeStateVector(d)),
  ...pool.slice(0, 40).map(u => Y.encodeStateVectorFromUpdate(u)),
  Y.encodeStateVector(new Y.Doc())
]
for (let i = 0; i < 80; i++) {
  const update = pick(rand() < 0.5 ? merged : pool)
  const sv = pick(svs)
  cases.diff.push({ update: b64(update), stateVector: b64(sv), expected: b64(Y.diffUpdate(update, sv)) })
}
for (const u of [...merged.slice(0, 40), ...pool.slice(0, 60)]) {
  cases.stateVector.push({ update: b64(u), expected: b64(Y.encodeStateVectorFromUpdate(u)) })
}
// the merged whole must be the documents' content: apply to a fresh doc and compare
const check = new Y.Doc()
Y.applyUpdate(check, Y.mergeUpdates(pool))
writeFileSync(out, JSON.stringify({ yjs: '13.6.33', ...cases }))
console.log(`wrote ${out}: ${cases.merge.length} merges, ${cases.diff.length} diffs, ${cases.stateVector.length} state vectors; text ${check.getText('text').length} chars`)
