/**
 * The {@code stream} sample: a simulated model streams its answer token by token to every client of
 * a conversation; its page, {@code /_outpost/demo/stream}, reads it over Server-Sent Events and
 * resumes after a reload with {@code Last-Event-ID}.
 *
 * <p>Loaded as a code bundle like any user's: depends on {@code dev.outpost.api} and the JDK only.
 */
package dev.outpost.samples.stream;
