/**
 * The {@code chat} sample: a PartyKit-style room ({@code dev.outpost.api.party.PartyServer}, on the
 * hibernation API) in which every text frame goes to every member, the sender included; partysocket
 * reaches it as the default party ({@code party.main=chat}).
 *
 * <p>Loaded as a code bundle like any user's: depends on {@code dev.outpost.api} (and its {@code
 * realtime} and {@code party} helpers) and the JDK only (checked by {@code ArchitectureTest}).
 * Nothing in the node depends on it at compile time; tests and benchmarks load it by name.
 */
package dev.outpost.samples.chat;
