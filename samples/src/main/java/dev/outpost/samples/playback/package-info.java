/**
 * The {@code playback} sample: a watch party's shared player. Viewers play, pause and seek the same
 * simulated media and stay within tens of milliseconds of each other by estimating their clock's
 * offset to the object's, NTP-style. Its page is {@code /_outpost/demo/playback}.
 *
 * <p>Loaded as a code bundle like any user's: depends on {@code dev.outpost.api} and the JDK only.
 */
package dev.outpost.samples.playback;
