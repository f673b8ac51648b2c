/**
 * The user API: what an object's author writes against ({@code DurableObject}, {@code
 * DurableObjectState}, {@code DurableObjectStorage}, {@code HibernatableWebSocket}, {@code
 * Request}/{@code Response}, ids, namespaces and stubs), in Cloudflare's vocabulary; and {@code
 * ConnectGuard} ({@code Admission}, {@code Lobby}), which accepts or refuses a client in the router
 * before an object wakes, in PartyKit's ({@code onBeforeConnect}, {@code onBeforeRequest}).
 *
 * <p>Depends on the JDK only: no Vert.x, Hazelcast, RocksDB or Jackson type appears here (checked
 * by {@code ArchitectureTest}). Every other package may depend on it; it depends on none of them.
 * Code bundles see this package and the JDK, nothing else. See docs/design.md §3.
 */
package dev.outpost.api;
