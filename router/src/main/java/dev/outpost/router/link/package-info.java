/**
 * Node-to-node links: one multiplexed WebSocket per pair of nodes, authenticated with the cluster's
 * link secret, carrying forwarded HTTP exchanges, client sockets in both directions with
 * credit-based flow control, and object hand-overs ({@code HandoverTransport}).
 *
 * <p>Same rules as {@code dev.outpost.router}: Vert.x, the user API and the runtime's public and
 * {@code spi} packages, never runtime internals. Only the router's own packages depend on it. See
 * docs/design.md §5.
 */
package dev.outpost.router.link;
