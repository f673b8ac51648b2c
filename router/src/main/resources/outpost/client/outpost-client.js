/*
 * Outpost real-time client (protocol outpost.v1), for browsers and Node.js (18+): a classic
 * script (window.Outpost), a CommonJS module, or imported for its side effect as an ES module
 * (globalThis.Outpost). /_outpost/client.mjs re-exports it with named exports; its types are in
 * /_outpost/client.d.ts.
 *
 *   const conn = Outpost.connect('http://host:8080/objects/chat/lobby?user=ana', options);
 *   conn.on('message', (data, offset) => ...);   // string, or Uint8Array for binary
 *   conn.on('open', ({epoch, resumed, notRecovered, transport}) => ...);
 *   conn.on('state', (state) => ...);            // connecting | open | reconnecting | closed
 *   conn.on('close', ({code, reason}) => ...);   // closed for good
 *   conn.send('hello');                          // queued while offline; false when the queue is full
 *   conn.close();                                // ends the session (the object sees a clean close)
 *   const n = await conn.call('join', 'ana');    // a typed call: the object's method join("ana")
 *
 *   const near = await Outpost.connectNearest(['http://any-router:8080'], '/objects/chat/lobby',
 *                                             { clientRegion: 'eu-west' });  // nearest router first
 *
 * Options: transports (default ['websocket', 'sse', 'polling']: tried in order; one that never
 * opened gives way to the next, the first that worked is kept), urls (more routers to rotate
 * through on reconnect), WebSocket (constructor; default globalThis.WebSocket, e.g. require('ws')
 * in Node 20), fetch (default globalThis.fetch), minDelay 250 ms, maxDelay 10 s (exponential
 * backoff, half fixed and half random, so clients do not reconnect in lock-step), connectTimeout
 * 5 s, maxQueued 1000, resume ({epoch, offset} of an earlier connection, e.g. kept in sessionStorage
 * across a page reload: the first connect asks to resume that session; conn.epoch and the offset of
 * each 'message' give the position to keep).
 *
 * Typed calls: conn.call(method, ...args) (or Outpost.call(objectUrl, method, ...args), no session
 * needed) runs a method of an interface the object's class implements, as one turn, and resolves to
 * its result. It is one HTTP POST to the object's URL on the router the connection uses, marked
 * X-Outpost-Rpc: METHOD, with the arguments as a JSON array; never queued nor resent, so it may
 * fail while the connection is down. It rejects with an RpcError: remote (the method threw;
 * remoteClass and remoteMessage say what), or not remote (the call did not fit the object, or the
 * router refused it: status says how).
 *
 * Recovery: the client keeps (epoch, offset) and asks to resume on every reconnect; the server sends
 * exactly the messages missed, or says "not recovered" (the 'open' event's notRecovered: reload your
 * state). Messages to the object carry increasing ids and stay queued until acknowledged, so a
 * resend is applied once. Heartbeats: the server pings; the client answers, and drops a connection
 * on which nothing arrived for heartbeat + timeout. It does not reconnect after close codes 1000,
 * 1008, 3000-3999 and 4100-4999 (the object's own).
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) {
    module.exports = factory();
  } else {
    root.Outpost = factory();
  }
})(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  'use strict';

  const PROTOCOL = 'outpost.v1';

  function terminal(code) {
    return code === 1000 || code === 1008 || (code >= 3000 && code <= 3999) || (code >= 4100 && code <= 4999);
  }

  function withQuery(url, params) {
    return url + (url.indexOf('?') < 0 ? '?' : '&') + params;
  }

  function toBase64(bytes) {
    if (typeof Buffer !== 'undefined') return Buffer.from(bytes).toString('base64');
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }

  function fromBase64(text) {
    if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(text, 'base64'));
    const s = atob(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  class Emitter {
    constructor() { this._handlers = {}; }
    on(type, fn) { (this._handlers[type] = this._handlers[type] || []).push(fn); return this; }
    off(type, fn) { this._handlers[type] = (this._handlers[type] || []).filter((f) => f !== fn); return this; }
    _emit(type, ...args) {
      for (const fn of this._handlers[type] || []) {
        try { fn(...args); } catch (e) { setTimeout(() => { throw e; }); }
      }
    }
  }

  // ---- transports: each reports frame(f), alive(), down(code, reason) to its connection

  class WebSocketChannel {
    constructor(conn, url) { this.conn = conn; this.url = url; this.name = 'websocket'; }
    start(resume) {
      const Impl = this.conn.options.WebSocket || globalThis.WebSocket;
      if (!Impl) { setTimeout(() => this.down(1006, 'no WebSocket implementation')); return; }
      let url = this.url.replace(/^http/, 'ws');
      if (resume) url = withQuery(url, 'outpost_epoch=' + encodeURIComponent(resume.epoch) + '&outpost_offset=' + resume.offset);
      try {
        this.ws = new Impl(url, PROTOCOL);
      } catch (e) {
        setTimeout(() => this.down(1006, String(e)));
        return;
      }
      this.ws.onmessage = (event) => {
        if (this.dead) return;
        let frame;
        try { frame = JSON.parse(typeof event.data === 'string' ? event.data : String(event.data)); } catch (e) {
          this.kill(); this.down(1002, 'not an outpost.v1 frame'); return;
        }
        this.conn._frame(this, frame);
      };
      this.ws.onerror = () => {};
      this.ws.onclose = (event) => this.down(event.code || 1006, event.reason || '');
    }
    send(frames) {
      if (!this.dead && this.ws && this.ws.readyState === 1) frames.forEach((f) => this.ws.send(f));
    }
    kill() {
      this.dead = true;
      try { if (this.ws) this.ws.close(4000, 'client gave up on this connection'); } catch (e) { /* closing anyway */ }
    }
    down(code, reason) {
      if (this.reported) return;
      this.reported = true;
      this.dead = true;
      this.conn._down(this, code, reason);
    }
  }

  class PullChannel {
    constructor(conn, url) { this.conn = conn; this.url = url; this.pending = []; this.posting = false; }
    kill() {
      this.dead = true;
      try { if (this.abort) this.abort.abort(); } catch (e) { /* closing anyway */ }
    }
    down(code, reason) {
      if (this.reported) return;
      this.reported = true;
      this.kill();
      this.conn._down(this, code, reason);
    }
    welcome(frame) {
      this.epoch = frame.epoch;
      this.conn_id = frame.conn;
      this.conn._frame(this, frame);
    }
    send(frames) {
      this.pending.push(...frames);
      if (!this.posting) this.flush();
    }
    flush() {
      if (this.dead || this.pending.length === 0) return;
      const body = '[' + this.pending.join(',') + ']';
      this.pending = [];
      this.posting = true;
      const url = withQuery(this.url, 'outpost=send&outpost_epoch=' + encodeURIComponent(this.epoch) + '&outpost_conn=' + encodeURIComponent(this.conn_id));
      this.conn._fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status))))
        .then((answer) => {
          this.posting = false;
          if (this.dead) return;
          this.conn._frame(this, { t: 'ack', id: answer.ack || 0 });
          for (const f of answer.frames || []) this.conn._frame(this, f);
          this.flush();
        })
        .catch((e) => { this.posting = false; this.down(1006, 'sending failed: ' + e.message); });
    }
  }

  class EventStreamChannel extends PullChannel {
    constructor(conn, url) { super(conn, url); this.name = 'sse'; }
    start(resume) {
      const headers = { Accept: 'text/event-stream' };
      if (resume) headers['Last-Event-ID'] = resume.epoch + ':' + resume.offset;
      this.abort = new AbortController();
      this.conn._fetch(this.url, { headers, signal: this.abort.signal, cache: 'no-store' })
        .then((response) => {
          const type = response.headers.get('content-type') || '';
          if (response.status !== 200 || type.indexOf('event-stream') < 0) {
            this.down(1006, 'event stream refused: HTTP ' + response.status);
            return;
          }
          return this.read(response.body.getReader());
        })
        .catch((e) => this.down(1006, 'event stream failed: ' + e.message));
    }
    async read(reader) {
      const decoder = new TextDecoder();
      let buffer = '';
      let event = { type: '', data: [], id: this.lastId || '' };
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.dead) { this.down(1006, 'event stream ended'); return; }
        buffer += decoder.decode(value, { stream: true });
        let nl;
        while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(buffer[nl] === '\r' && buffer[nl + 1] === '\n' ? nl + 2 : nl + 1);
          if (line === '') {
            if (event.data.length) this.dispatch(event.type || 'message', event.data.join('\n'), event.id);
            this.lastId = event.id;
            event = { type: '', data: [], id: this.lastId };
            if (this.dead) return;
            continue;
          }
          if (line[0] === ':') continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let value = colon < 0 ? '' : line.slice(colon + 1);
          if (value[0] === ' ') value = value.slice(1);
          if (field === 'event') event.type = value;
          else if (field === 'data') event.data.push(value);
          else if (field === 'id') event.id = value;
        }
      }
    }
    dispatch(type, data, id) {
      this.conn._alive(this);
      const offset = id && id.indexOf(':') > 0 ? Number(id.slice(id.lastIndexOf(':') + 1)) : 0;
      if (type === 'outpost') {
        const frame = JSON.parse(data);
        if (frame.t === 'welcome') this.welcome(frame);
        else if (frame.t === 'close') this.down(frame.code || 1006, frame.reason || '');
        else this.conn._frame(this, frame);
      } else if (type === 'message') {
        this.conn._frame(this, { t: 'm', o: offset, d: data });
      } else if (type === 'text') {
        this.conn._frame(this, { t: 'm', o: offset, d: JSON.parse(data) });
      } else if (type === 'binary') {
        this.conn._frame(this, { t: 'm', o: offset, b: JSON.parse(data) });
      }
    }
  }

  class LongPollChannel extends PullChannel {
    constructor(conn, url) { super(conn, url); this.name = 'polling'; }
    start(resume) {
      let params = 'outpost=open&outpost_transport=poll';
      if (resume) params += '&outpost_epoch=' + encodeURIComponent(resume.epoch) + '&outpost_offset=' + resume.offset;
      this.abort = new AbortController();
      this.conn._fetch(withQuery(this.url, params), { signal: this.abort.signal, cache: 'no-store' })
        .then((r) => {
          if (r.status !== 200 || !r.headers.get('x-outpost-realtime')) {
            return r.text().then((t) => this.down(1006, 'long poll refused: HTTP ' + r.status + ' ' + t));
          }
          return r.json().then((w) => { this.welcome(w); this.poll(); });
        })
        .catch((e) => this.down(1006, 'long poll open failed: ' + e.message));
    }
    poll() {
      if (this.dead) return;
      const at = this.conn.offset;
      const url = withQuery(this.url, 'outpost=poll&outpost_epoch=' + encodeURIComponent(this.epoch) + '&outpost_conn=' + encodeURIComponent(this.conn_id) + '&outpost_offset=' + at + '&outpost_ack=' + at);
      this.abort = new AbortController();
      this.conn._fetch(url, { signal: this.abort.signal, cache: 'no-store' })
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status))))
        .then((batch) => {
          if (this.dead) return;
          this.conn._alive(this);
          for (const f of batch.frames || []) {
            if (f.t === 'close') { this.down(f.code || 1006, f.reason || ''); return; }
            this.conn._frame(this, f);
            if (this.dead) return;
          }
          this.poll();
        })
        .catch((e) => this.down(1006, 'long poll failed: ' + e.message));
    }
  }

  /** A typed call's failure: see the file's comment. */
  class RpcError extends Error {
    constructor(message, status, remoteClass, remoteMessage) {
      super(message);
      this.name = 'RpcError';
      this.status = status;
      this.remote = remoteClass !== null;
      this.remoteClass = remoteClass;
      this.remoteMessage = remoteMessage;
    }
  }

  /** POSTs a typed call to the object at `url` (its query dropped); resolves to the result. */
  async function call(url, method, args, fetchImpl) {
    if (typeof method !== 'string' || method === '') throw new TypeError('method must be a non-empty string');
    const f = fetchImpl || globalThis.fetch;
    const target = url.split('?')[0].split('#')[0];
    let res;
    try {
      res = await f(target, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Outpost-Rpc': method },
        body: JSON.stringify(args),
        cache: 'no-store',
      });
    } catch (e) {
      throw new RpcError(method + ' to ' + target + ' failed: ' + e.message, 0, null, e.message);
    }
    const text = await res.text();
    let body = null;
    try { body = JSON.parse(text); } catch (e) { /* not an RPC answer */ }
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      if (res.status === 200 && 'result' in body) return body.result;
      if (typeof body.threw === 'string') {
        const m = body.message || '';
        throw new RpcError(method + ' threw ' + body.threw + (m ? ': ' + m : ''), res.status, body.threw, m);
      }
      if (typeof body.invalid === 'string') {
        throw new RpcError(method + ': ' + body.invalid, res.status, null, body.invalid);
      }
    }
    const excerpt = text.length > 200 ? text.slice(0, 200) + '...' : text;
    throw new RpcError(method + ' was answered ' + res.status + ', not an RPC answer: ' + excerpt, res.status, null, excerpt);
  }

  const CHANNELS = { websocket: WebSocketChannel, sse: EventStreamChannel, polling: LongPollChannel };

  class Connection extends Emitter {
    constructor(url, options) {
      super();
      this.options = options;
      this.urls = [url].concat(options.urls || []);
      this.transports = options.transports || ['websocket', 'sse', 'polling'];
      this.minDelay = options.minDelay || 250;
      this.maxDelay = options.maxDelay || 10000;
      this.connectTimeout = options.connectTimeout || 5000;
      this.maxQueued = options.maxQueued || 1000;
      this.state = 'connecting';
      this.epoch = options.resume ? options.resume.epoch : null;
      this.offset = options.resume ? options.resume.offset : 0;
      this.acked = 0;
      this.nextId = 0;
      this.outbox = [];
      this.heartbeat = 25000;
      this.timeout = 10000;
      this.transportIndex = 0;
      this.transportWorked = false;
      this.router = 0;
      this.attempt = 0;
      this.channel = null;
      this.opened = false;
      this.transport = null;
      setTimeout(() => this._connect(), 0);
    }

    send(data) {
      if (this.state === 'closed' || this.outbox.length >= this.maxQueued) return false;
      const id = ++this.nextId;
      const frame = typeof data === 'string'
        ? JSON.stringify({ t: 'm', id, d: data })
        : JSON.stringify({ t: 'm', id, b: toBase64(data) });
      this.outbox.push({ id, frame });
      if (this.opened && this.channel) this.channel.send([frame]);
      return true;
    }

    close() {
      if (this.state === 'closed') return;
      const channel = this.channel;
      if (channel && this.opened) channel.send([JSON.stringify({ t: 'bye', code: 1000 })]);
      this._finish(1000, 'closed by the client');
      if (channel) setTimeout(() => channel.kill(), 100);
    }

    call(method, ...args) {
      const url = this.channel ? this.channel.url : this.urls[0];
      return call(url, method, args, this.options.fetch);
    }

    _fetch(url, init) {
      const f = this.options.fetch || globalThis.fetch;
      return f(url, init);
    }

    _setState(state) {
      if (this.state !== state) {
        this.state = state;
        this._emit('state', state);
      }
    }

    _connect() {
      this.reconnectTimer = null;
      if (this.state === 'closed') return;
      const url = this.urls[this.router++ % this.urls.length];
      const name = this.transports[this.transportIndex];
      const channel = new CHANNELS[name](this, url);
      this.channel = channel;
      this.opened = false;
      this.transport = name;
      clearTimeout(this.liveness);
      this.liveness = setTimeout(() => {
        if (this.channel === channel && !this.opened) {
          channel.kill();
          this._down(channel, 1006, 'no welcome within ' + this.connectTimeout + ' ms');
        }
      }, this.connectTimeout);
      channel.start(this.epoch ? { epoch: this.epoch, offset: this.offset } : null);
    }

    _frame(channel, frame) {
      if (channel !== this.channel || this.state === 'closed') return;
      this._alive(channel);
      switch (frame.t) {
        case 'welcome': this._welcome(frame); break;
        case 'm': {
          if (frame.o <= this.offset) return;
          this.offset = frame.o;
          this._emit('message', frame.d !== undefined ? frame.d : fromBase64(frame.b), frame.o);
          if (this.offset - this.acked >= 64 && channel.name !== 'polling') {
            this.acked = this.offset;
            channel.send([JSON.stringify({ t: 'ack', o: this.offset })]);
          }
          break;
        }
        case 'ping':
          this._acknowledge(frame.ack || 0);
          this.acked = this.offset;
          channel.send([JSON.stringify({ t: 'pong', o: this.offset })]);
          break;
        case 'ack': this._acknowledge(frame.id || 0); break;
        case 'close': channel.kill(); this._down(channel, frame.code || 1006, frame.reason || ''); break;
        default: break;
      }
    }

    _welcome(w) {
      const asked = this.epoch !== null;
      if (!w.recovered) this.offset = w.offset || 0;
      this.epoch = w.epoch;
      this.acked = this.offset;
      this.heartbeat = w.heartbeat || this.heartbeat;
      this.timeout = w.timeout || this.timeout;
      this.opened = true;
      this.transportWorked = true;
      this.attempt = 0;
      this._acknowledge(w.ack || 0);
      if (this.outbox.length) this.channel.send(this.outbox.map((o) => o.frame));
      this._setState('open');
      this._emit('open', { epoch: w.epoch, resumed: asked && !!w.recovered, notRecovered: asked && !w.recovered, transport: this.transport });
      this._alive(this.channel);
    }

    _acknowledge(id) {
      while (this.outbox.length && this.outbox[0].id <= id) this.outbox.shift();
    }

    _alive(channel) {
      if (channel !== this.channel || !this.opened) return;
      clearTimeout(this.liveness);
      this.liveness = setTimeout(() => {
        if (this.channel === channel) {
          channel.kill();
          this._down(channel, 4010, 'no heartbeat from the server');
        }
      }, this.heartbeat + this.timeout);
    }

    _down(channel, code, reason) {
      if (channel !== this.channel) return;
      this.channel = null;
      const wasOpen = this.opened;
      this.opened = false;
      clearTimeout(this.liveness);
      this._emit('transportdown', { transport: channel.name, code, reason });
      if (this.state === 'closed') return;
      if (terminal(code)) { this._finish(code, reason); return; }
      if (!wasOpen && !this.transportWorked && this.transportIndex < this.transports.length - 1) {
        this.transportIndex++; // never opened: fall back to the next transport
      }
      this._setState('reconnecting');
      const base = Math.min(this.maxDelay, this.minDelay * Math.pow(2, Math.min(this.attempt++, 20)));
      const delay = base / 2 + Math.random() * base / 2;
      this.reconnectTimer = setTimeout(() => this._connect(), Math.max(1, delay));
    }

    _finish(code, reason) {
      clearTimeout(this.reconnectTimer);
      clearTimeout(this.liveness);
      this.channel = null;
      this._setState('closed');
      this._emit('close', { code, reason });
    }
  }

  /**
   * Ranks the cluster's routers by measured round trip, nearest first: asks the first seed that
   * answers for GET /_outpost/routers, then times GET /_outpost/health on each (the median of
   * `probes`, default 3; a declared `clientRegion` pays the emulated latency). Unreachable routers
   * go last. Resolves to [{url, region, node, rtt}].
   */
  async function nearest(seeds, options) {
    const opts = options || {};
    const f = opts.fetch || globalThis.fetch;
    const probes = opts.probes || 3;
    const query = opts.clientRegion ? '?clientRegion=' + encodeURIComponent(opts.clientRegion) : '';
    const now = () => (globalThis.performance ? globalThis.performance.now() : Date.now());
    let routers = null;
    for (const seed of seeds) {
      try {
        const res = await f(seed.replace(/\/+$/, '') + '/_outpost/routers');
        if (res.ok) { routers = (await res.json()).routers; break; }
      } catch (e) { /* next seed */ }
    }
    if (!routers) throw new Error('no seed router answered: ' + seeds.join(', '));
    const ranked = await Promise.all(routers.map(async (r) => {
      const times = [];
      for (let i = 0; i < probes; i++) {
        const start = now();
        try {
          const res = await f(r.url + '/_outpost/health' + query);
          await res.text();
          if (!res.ok) break;
          times.push(now() - start);
        } catch (e) { break; }
      }
      times.sort((a, b) => a - b);
      const rtt = times.length === probes ? times[Math.floor(times.length / 2)] : Infinity;
      return { url: r.url, region: r.region, node: r.node, rtt };
    }));
    return ranked.sort((a, b) => a.rtt - b.rtt);
  }

  /**
   * Connects to `path` (e.g. '/objects/chat/lobby?user=ana') through the nearest router, and on
   * reconnects moves on to the next nearest: `options` as for connect, plus clientRegion and probes.
   */
  async function connectNearest(seeds, path, options) {
    const opts = Object.assign({}, options || {});
    const ranked = await nearest(seeds, opts);
    const urls = ranked.map((r) => r.url + path);
    opts.urls = urls.slice(1);
    const conn = new Connection(urls[0], opts);
    conn.routers = ranked;
    return conn;
  }

  return {
    PROTOCOL,
    RpcError,
    call(url, method, ...args) { return call(url, method, args); },
    connect(url, options) { return new Connection(url, options || {}); },
    nearest,
    connectNearest,
  };
});
