/**
 * Yjs without a document, in plain Java: lib0 encoding ({@link
 * dev.outpost.samples.yjs.codec.Lib0Reader}, {@link dev.outpost.samples.yjs.codec.Lib0Writer}), v1
 * updates merged, diffed against a state vector and summarised as one ({@link
 * dev.outpost.samples.yjs.codec.YUpdates}, a port of yjs 13.6 {@code updates.js} tested byte for
 * byte against yjs), and the y-websocket / y-protocols messages ({@link
 * dev.outpost.samples.yjs.codec.YProtocol}).
 *
 * <p>JDK only, no Outpost API: it could be a module of its own if other bundles want it (a bundle
 * jar must carry it, since a bundle's class loader sees only the API and the JDK).
 */
package dev.outpost.samples.yjs.codec;
