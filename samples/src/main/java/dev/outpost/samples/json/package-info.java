/**
 * The samples' one JSON reader ({@link dev.outpost.samples.json.JsonText}, strict RFC 8259): a code
 * bundle depends on the user API and the JDK only, so the samples that read JSON commands (the
 * notifications inbox, the playback room) share this instead of a library.
 */
package dev.outpost.samples.json;
