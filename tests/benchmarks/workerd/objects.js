// The two sample objects the load generator drives (samples/: Counter and ChatRoom), written for
// Cloudflare's workerd, so that `outpost bench counter|chat --targets ...,workerd` runs the same
// load against Cloudflare's runtime. They behave as the Java samples do for every request the
// generator makes; see README.md for what is not ported.
import { DurableObject } from "cloudflare:workers";

// The URL shape of an Outpost node: /objects/{namespace}/{name}[/{path}] and
// /objects/{namespace}/id/{64 hex digits}[/{path}].
const OBJECT_PATH = /^\/objects\/([^/]+)\/([^/]+)(?:\/([^/]*))?/;
const NAMESPACES = { counter: "COUNTER", chat: "CHAT" };

export default {
  async fetch(request, env) {
    const match = OBJECT_PATH.exec(new URL(request.url).pathname);
    if (!match) {
      return new Response("not found: objects live at /objects/{namespace}/{name}\n", {
        status: 404,
      });
    }
    const namespace = env[NAMESPACES[match[1]]];
    if (!namespace) {
      return new Response(
        `unknown namespace '${match[1]}'; this node serves ${Object.keys(NAMESPACES).join(", ")}\n`,
        { status: 404 },
      );
    }
    let id;
    if (match[2] === "id" && match[3] !== undefined) {
      if (!/^[0-9a-f]{64}$/.test(match[3])) {
        return new Response(`malformed id '${match[3]}': 64 hex digits expected\n`, {
          status: 400,
        });
      }
      id = namespace.idFromString(match[3]);
    } else {
      let name;
      try {
        name = decodeURIComponent(match[2]);
      } catch {
        return new Response(`malformed percent-escape in name '${match[2]}'\n`, { status: 400 });
      }
      id = namespace.idFromName(name);
    }
    return namespace.get(id).fetch(request);
  }
};

function isWebSocketUpgrade(request) {
  return (request.headers.get("Upgrade") ?? "").toLowerCase() === "websocket";
}

// samples/.../counter/Counter.java: POST adds one and answers the new value once it is durable (the
// output gate holds the response until the put is on disk); GET answers the value (0 if never
// incremented); a WebSocket gets the value at once, then every new value (its messages are
// ignored). Other methods: 405.
export class Counter extends DurableObject {
  async fetch(request) {
    if (isWebSocketUpgrade(request)) {
      const [client, server] = Object.values(new WebSocketPair());
      this.ctx.acceptWebSocket(server);
      server.send(String(await this.current()));
      return new Response(null, { status: 101, webSocket: client });
    }
    switch (request.method) {
      case "GET":
        return new Response(String(await this.current()));
      case "POST": {
        const next = (await this.current()) + 1;
        await this.ctx.storage.put("value", next);
        const value = String(next);
        for (const watcher of this.ctx.getWebSockets()) {
          watcher.send(value);
        }
        return new Response(value);
      }
      default:
        return new Response("counter supports GET (read) and POST (increment)", {
          status: 405,
          headers: { Allow: "GET, POST" },
        });
    }
  }

  async current() {
    return (await this.ctx.storage.get("value")) ?? 0;
  }

  webSocketMessage() {} // watchers' messages are ignored
}

// samples/.../chat/ChatRoom.java (a PartyServer): a WebSocket upgrade is accepted as a hibernatable
// socket tagged with its connection id (the _pk query parameter, else a random UUID); every text
// frame goes, unchanged, to every open socket of the room, the sender included; binary frames are
// ignored. A plain request answers 426.
export class ChatRoom extends DurableObject {
  async fetch(request) {
    if (!isWebSocketUpgrade(request)) {
      return new Response("this is a chat room: connect with a WebSocket", {
        status: 426,
        headers: { Upgrade: "websocket" },
      });
    }
    const id = new URL(request.url).searchParams.get("_pk") || crypto.randomUUID();
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server, ["_pk:" + id]);
    return new Response(null, { status: 101, webSocket: client });
  }

  webSocketMessage(from, message) {
    if (typeof message !== "string") {
      return;
    }
    for (const member of this.ctx.getWebSockets()) {
      if (member.readyState === WebSocket.OPEN) {
        member.send(message);
      }
    }
  }

  webSocketClose(ws, code, reason) {
    // Complete the close handshake, as Outpost's runtime does (1005 and 1006 cannot be sent).
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CLOSING) {
      try {
        ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
      } catch {
        // already closed by the runtime (web_socket_auto_reply_to_close)
      }
    }
  }
}
