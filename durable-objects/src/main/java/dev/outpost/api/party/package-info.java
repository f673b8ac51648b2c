/**
 * A PartyKit-style API on top of {@code DurableObject}, for code ported from partyserver: extend
 * {@link dev.outpost.api.party.PartyServer} and override {@code onConnect}, {@code onMessage},
 * {@code onClose}, {@code onError}, {@code onRequest}, {@code onAlarm}; reach clients through
 * {@link dev.outpost.api.party.Connection} and {@code broadcast(message, excludeIds)}.
 *
 * <p>Every connection is a hibernatable WebSocket: its id (partysocket's {@code _pk}), its tags and
 * its state live with the socket, so they survive the object's eviction. Rooms are reached by
 * partysocket's own URLs ({@code /parties/{party}/{room}}, {@code /party/{room}}), routed by the
 * node to the namespace the party names (README, "Porting from PartyKit").
 *
 * <p>Depends on {@code dev.outpost.api} and the JDK only, like any user code, and runs inside the
 * object's turns. Nothing in the runtime or the router depends on it.
 */
package dev.outpost.api.party;
