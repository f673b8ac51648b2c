/**
 * A node's HTTP front, the entrance hall: the Vert.x Web server and its routes, conversion of HTTP
 * and WebSocket traffic to the runtime's {@code Request}/{@code Response} and {@code
 * ClientConnection}, routing each request to the object's owner (local inbox or node link), the
 * cluster endpoints, latency emulation and message-size limits.
 *
 * <p>May depend on Vert.x core and Web, {@code dev.outpost.api}, and the runtime's public and
 * {@code spi} packages; never on {@code dev.outpost.runtime.internal} (checked by {@code
 * ArchitectureTest}). The runtime never depends on it; the CLI, the node builder and tests do. See
 * router/README.md and docs/design.md §4.
 */
package dev.outpost.router;
