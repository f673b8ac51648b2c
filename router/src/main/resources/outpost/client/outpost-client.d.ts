/**
 * Types of the Outpost real-time client (protocol outpost.v1), served at /_outpost/client.d.ts
 * beside the client (/_outpost/client.js, a classic script and CommonJS module; /_outpost/client.mjs,
 * an ES module). Save it next to your code, or reference it:
 *
 *   /// <reference path="./outpost-client.d.ts" />
 *   import { connect } from './outpost-client.mjs';
 */

/** The transports the client can use, tried in the order given. */
export type Transport = 'websocket' | 'sse' | 'polling';

/** A connection's state: `closed` is for good (no reconnect). */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Where a session is: its epoch and the offset of the last message received. */
export interface ResumePoint {
  epoch: string | null;
  offset: number;
}

export interface ConnectOptions {
  /** Tried in order; one that never opened gives way to the next. Default all three. */
  transports?: Transport[];
  /** More router URLs for the same object, rotated through on reconnect. */
  urls?: string[];
  /** WebSocket constructor; default globalThis.WebSocket (in Node 20: require('ws')). */
  WebSocket?: unknown;
  /** fetch; default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Reconnect back-off bounds in ms (default 250 and 10,000), half fixed and half random. */
  minDelay?: number;
  maxDelay?: number;
  /** How long one transport may take to open, in ms (default 5,000). */
  connectTimeout?: number;
  /** Most messages queued while offline (default 1,000); send() returns false past it. */
  maxQueued?: number;
  /** Resume an earlier session, e.g. one kept in sessionStorage across a reload. */
  resume?: ResumePoint;
}

export interface NearestOptions extends ConnectOptions {
  /** The client's region: routers add the emulated latency for it. */
  clientRegion?: string;
  /** Health probes per router; the median counts (default 3). */
  probes?: number;
}

export interface OpenEvent {
  epoch: string;
  /** The server sent exactly the messages missed since the resume point. */
  resumed: boolean;
  /** Asked to resume but the server could not: reload your state. */
  notRecovered: boolean;
  transport: Transport;
}

export interface CloseEvent {
  code: number;
  reason: string;
}

export interface TransportDownEvent {
  transport: Transport;
  code: number;
  reason: string;
}

export interface RankedRouter {
  url: string;
  region: string;
  node: string;
  /** Median round trip in ms; Infinity when unreachable. */
  rtt: number;
}

export interface Connection {
  /** The current state. */
  readonly state: ConnectionState;
  /** The session's epoch, once a server welcomed it. */
  readonly epoch: string | null;
  /** The offset of the last message received. */
  readonly offset: number;
  /** The transport of the current or last channel. */
  readonly transport: Transport | null;
  /** Set by connectNearest: every router, nearest first. */
  readonly routers?: RankedRouter[];

  /** A message from the object: a string for text, bytes for binary; its offset in the session. */
  on(type: 'message', listener: (data: string | Uint8Array, offset: number) => void): this;
  on(type: 'open', listener: (event: OpenEvent) => void): this;
  on(type: 'state', listener: (state: ConnectionState) => void): this;
  /** Closed for good: by close(), or a terminal code (1000, 1008, 3000-3999, 4100-4999). */
  on(type: 'close', listener: (event: CloseEvent) => void): this;
  on(type: 'transportdown', listener: (event: TransportDownEvent) => void): this;
  off(type: string, listener: (...args: any[]) => void): this;

  /** Sends to the object; queued while offline, resent until acknowledged. False if closed or full. */
  send(data: string | Uint8Array): boolean;
  /** Ends the session: the object sees a clean close. */
  close(): void;

  /**
   * A typed call: runs `method` (of an interface the object's class implements) with `args` as one
   * turn, and resolves to its result as JSON. One HTTP POST through the router this connection
   * uses; never queued nor resent. Rejects with an RpcError.
   */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
}

/** A typed call's failure. */
export class RpcError extends Error {
  /** 'RpcError'. */
  name: string;
  /** The HTTP status of the answer; 0 when no answer came. */
  status: number;
  /** The object's method threw (remoteClass names what it threw). */
  remote: boolean;
  /** The Java class the method threw, e.g. 'java.lang.IllegalStateException'; null if not remote. */
  remoteClass: string | null;
  /** The thrown exception's message, or why the call did not fit the object. */
  remoteMessage: string;
}

/** A typed call to the object at `url` (e.g. `https://host/objects/rooms/lobby`), no session needed. */
export function call<T = unknown>(url: string, method: string, ...args: unknown[]): Promise<T>;

/** The protocol name, `outpost.v1` (the WebSocket subprotocol). */
export const PROTOCOL: 'outpost.v1';

/** Connects to an object URL such as `https://host/objects/chat/lobby?user=ana`. */
export function connect(url: string, options?: ConnectOptions): Connection;

/** Ranks the cluster's routers by measured round trip, nearest first. */
export function nearest(seeds: string[], options?: NearestOptions): Promise<RankedRouter[]>;

/** Connects to `path` through the nearest router; reconnects move on to the next nearest. */
export function connectNearest(
  seeds: string[],
  path: string,
  options?: NearestOptions,
): Promise<Connection>;

declare const Outpost: {
  PROTOCOL: typeof PROTOCOL;
  RpcError: typeof RpcError;
  call: typeof call;
  connect: typeof connect;
  nearest: typeof nearest;
  connectNearest: typeof connectNearest;
};
export default Outpost;

declare global {
  /** Set by the classic script /_outpost/client.js. */
  var Outpost: {
    PROTOCOL: 'outpost.v1';
    RpcError: typeof RpcError;
    call: typeof call;
    connect: typeof connect;
    nearest: typeof nearest;
    connectNearest: typeof connectNearest;
  };
}
