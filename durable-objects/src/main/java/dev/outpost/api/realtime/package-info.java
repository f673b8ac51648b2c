/**
 * Real-time helpers for objects, built on the user API alone: {@code Presence} (who is connected,
 * keyed by user and connection, with a grace period) and {@code Broadcast} (send to all, to a tag,
 * or to all but one).
 *
 * <p>Depends on {@code dev.outpost.api} and the JDK only, like any user code, and runs inside the
 * object's turns. Nothing in the runtime or the router depends on it. See docs/design.md §8.
 */
package dev.outpost.api.realtime;
