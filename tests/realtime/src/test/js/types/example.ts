// Type-checked by JsClientIT against the declarations the node serves at /_outpost/client.d.ts
// (saved beside this file as outpost-client.d.ts): the README's examples must compile under
// --strict, and each @ts-expect-error line must stay an error (so the types are not `any`).
import Outpost, { call, connect, connectNearest, RpcError, type Connection, type OpenEvent } from './outpost-client';

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

// Typed calls (README, "Typed RPC"): by method name, over the connection or without one.
async function typed(): Promise<void> {
  const count = await conn.call<number>('join', 'ana');
  const members: string[] = await call<string[]>('http://127.0.0.1:8080/objects/rooms/lobby', 'members');
  try {
    await Outpost.call('http://127.0.0.1:8080/objects/rooms/lobby', 'join', '');
  } catch (e) {
    if (e instanceof RpcError && e.remote) console.log(e.remoteClass, e.remoteMessage, e.status);
  }
  console.log(count + 1, members.length);
}
void typed;

// @ts-expect-error: messages are strings or bytes
conn.send(42);
// @ts-expect-error: no such transport
connect('http://x', { transports: ['carrier-pigeon'] });
// @ts-expect-error: the open event has no such field
conn.on('open', (e) => e.nonsense);
// @ts-expect-error: a typed call names its method with a string
conn.call(7);
// @ts-expect-error: state is read-only
conn.state = 'open';
