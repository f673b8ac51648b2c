/**
 * The {@code notifications} sample: a per-user inbox that keeps the newest notifications, pushes
 * each new one and the unread count to every tab of the user over whatever transport reached it
 * (WebSocket, SSE or long polling), and takes mark-as-read commands. Its page is {@code
 * /_outpost/demo/notifications?user=NAME}.
 *
 * <p>Loaded as a code bundle like any user's: depends on {@code dev.outpost.api} and the JDK only.
 */
package dev.outpost.samples.notifications;
