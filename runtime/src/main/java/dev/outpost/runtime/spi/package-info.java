/**
 * The runtime's service-provider interfaces: contracts with more than one implementation or
 * implemented outside the runtime ({@code StorageEngine}, {@code WriteBatch}, {@code
 * ClientConnection}, {@code ObjectDirectory}, {@code ClusterMembership}, {@code HandoverTransport})
 * and the records they exchange.
 *
 * <p>Depends on {@code dev.outpost.api} and {@code dev.outpost.runtime} only; no Vert.x, Hazelcast
 * or RocksDB type. Implemented by {@code runtime.internal.*} (storage engines, the Hazelcast
 * cluster) and by the router (client connections, the hand-over transport over node links).
 */
package dev.outpost.runtime.spi;
