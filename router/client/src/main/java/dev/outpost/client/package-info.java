/**
 * The Java client of the real-time layer: {@code OutpostClient} (WebSocket, Server-Sent Events or
 * long polling; reconnect with backoff and jitter, resume, heartbeats, offline queue) and {@code
 * RouterSelector} (the nearest routers by measured round trip).
 *
 * <p>Speaks the wire protocol only: may depend on Vert.x core and {@code dev.outpost.api}, never on
 * the runtime or the router, so it can ship to applications on its own. Its {@code protocol}
 * package defines the {@code outpost.v1} names and close codes once; the router uses them. See
 * docs/design.md §8.
 */
package dev.outpost.client;
