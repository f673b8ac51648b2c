/**
 * The Java client of the real-time layer: {@code OutpostClient} (WebSocket, Server-Sent Events or
 * long polling; reconnect with backoff and jitter, resume, heartbeats, offline queue) and {@code
 * RouterSelector} (the nearest routers by measured round trip).
 *
 * <p>Speaks the wire protocol only: may depend on Vert.x core and {@code dev.outpost.api}, never on
 * the runtime or the router's server packages, so it can ship to applications on its own. Nothing
 * in a node depends on it. See docs/design.md §8.
 */
package dev.outpost.router.client;
