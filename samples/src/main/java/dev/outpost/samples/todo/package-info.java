/**
 * The {@code todo} sample: a shared to-do list whose clients apply their changes optimistically and
 * roll them back when the list refuses them. Its page is {@code /_outpost/demo/todo}.
 *
 * <p>Loaded as a code bundle like any user's: depends on {@code dev.outpost.api} and the JDK only.
 */
package dev.outpost.samples.todo;
