/**
 * Hibernatable sockets: the node, not the object instance, owns every accepted socket with its
 * tags, attachment and auto-response pair, so sockets stay open while their object is evicted and a
 * later event re-creates it.
 *
 * <p>Internal to the runtime: depends on {@code api}, {@code runtime} and {@code runtime.spi}
 * ({@code ClientConnection}); no transport types. Used by the object host and the activations only.
 * See docs/design.md §3.
 */
package dev.outpost.runtime.internal.hibernation;
