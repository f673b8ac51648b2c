/**
 * The {@code jobs} sample: a job that advances one step per alarm and tells every watcher its
 * progress; it survives evictions and node restarts because its state and its alarm are stored. Its
 * page is {@code /_outpost/demo/jobs}.
 *
 * <p>Loaded as a code bundle like any user's: depends on {@code dev.outpost.api} and the JDK only.
 */
package dev.outpost.samples.jobs;
