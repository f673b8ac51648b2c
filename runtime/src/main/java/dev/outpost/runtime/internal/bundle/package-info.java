/**
 * Code bundles: loading a jar or classes directory into its own class loader (parent: the user API
 * and the JDK only), the namespace → current-version registry that live objects switch from at turn
 * boundaries, namespaces and stubs, the {@code Env}, and keyed-hash object ids.
 *
 * <p>Internal to the runtime: depends on {@code api}, {@code runtime} and {@code
 * internal.activation}. Never depends on the samples or any user code at compile time (bundles are
 * loaded by name). Only the runtime may depend on it. See docs/design.md §7.
 */
package dev.outpost.runtime.internal.bundle;
