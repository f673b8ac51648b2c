// Type-checked by JsClientIT against the declarations the node serves at /_outpost/client.d.ts
// (saved beside this file as outpost-client.d.ts): the README's examples must compile under
// --strict, and each @ts-expect-error line must stay an error (so the types are not `any`).
import Outpost, { connect, connectNearest, type Connection, type OpenEvent } from './outpost-client';

const conn: Connection = connect('http://127.0.0.1:8080/objects/chat/lobby?user=ana', {
  transports: ['websocket', 'sse'],
  maxQueued: 100,
  resume: { epoch: 'e1', offset: 41 },
});
conn.on('open', (e: OpenEvent) => console.log(e.transport, e.resumed, e.notRecovered));
conn.on('message', (data, offset) => {
  const text: string = typeof data === 'string' ? data : new TextDecoder().decode(data);
  console.log(offset + 1, text.length);
});
conn.on('state', (state) => { if (state === 'reconnecting') console.log('offline'); });
conn.on('close', ({ code, reason }) => console.log(code, reason));
const queued: boolean = conn.send('hello') && conn.send(new Uint8Array([1, 2]));
console.log(queued, conn.epoch, conn.offset, Outpost.PROTOCOL);
conn.close();

async function nearby(): Promise<void> {
  const near = await connectNearest(['http://127.0.0.1:8080'], '/objects/chat/lobby', {
    clientRegion: 'eu-west',
  });
  console.log(near.routers?.[0]?.rtt);
}
void nearby;

// @ts-expect-error: messages are strings or bytes
conn.send(42);
// @ts-expect-error: no such transport
connect('http://x', { transports: ['carrier-pigeon'] });
// @ts-expect-error: the open event has no such field
conn.on('open', (e) => e.nonsense);
// @ts-expect-error: state is read-only
conn.state = 'open';
