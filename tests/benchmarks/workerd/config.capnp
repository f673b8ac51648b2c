# workerd configuration for the benchmark's Cloudflare comparison: the samples' counter and chat
# room (objects.js) as Durable Objects, their storage in SQLite files on local disk.
#
# By hand, from this directory:  npx workerd serve config.capnp --experimental
#   (listens on 127.0.0.1:8787, stores in /tmp/outpost-workerd-data, which must exist)
# The generator (--targets ...,workerd) overrides both:
#   workerd serve config.capnp --experimental --socket-addr http=127.0.0.1:PORT \
#     --directory-path do-storage=DATA_DIR
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .objects),
    (name = "do-storage", disk = (path = "/tmp/outpost-workerd-data", writable = true)),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "main"),
  ],
);

const objects :Workerd.Worker = (
  compatibilityDate = "2026-11-17",
  modules = [
    (name = "objects.js", esModule = embed "objects.js"),
  ],
  durableObjectNamespaces = [
    (className = "Counter", uniqueKey = "outpost-bench-counter", enableSql = true),
    (className = "ChatRoom", uniqueKey = "outpost-bench-chat", enableSql = true),
  ],
  durableObjectStorage = (localDisk = "do-storage"),
  bindings = [
    (name = "COUNTER", durableObjectNamespace = "Counter"),
    (name = "CHAT", durableObjectNamespace = "ChatRoom"),
  ],
);
