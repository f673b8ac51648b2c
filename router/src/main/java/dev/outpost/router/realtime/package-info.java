/**
 * The real-time layer in front of the node's inbox: Outpost-protocol sessions ({@code outpost.v1})
 * with replay buffers and resume, heartbeats, rate limits and close codes, Server-Sent Events and
 * long polling, and the JS client served at {@code /_outpost/client.js}. Plain WebSocket clients
 * pass through untouched.
 *
 * <p>Same rules as {@code dev.outpost.router}: Vert.x, the user API and the runtime's public and
 * {@code spi} packages, never runtime internals. It wraps an {@code ObjectInbox}; the runtime never
 * knows sessions exist. See docs/design.md §8.
 */
package dev.outpost.router.realtime;
