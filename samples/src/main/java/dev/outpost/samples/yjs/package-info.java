/**
 * The {@code yjs} sample: a y-websocket server room for unmodified {@code yjs} + {@code
 * y-websocket} clients ({@link dev.outpost.samples.yjs.YjsRoom}), on the hibernation API, with the
 * document stored as chunked, compacted Yjs updates. Its page, {@code /_outpost/demo/doc}, is
 * collaborative text in the browser (yjs, y-websocket and awareness: cursors, selections, who is
 * here).
 *
 * <p>Loaded as a code bundle like any user's: depends on {@code dev.outpost.api} and the JDK only,
 * plus its own Yjs codec ({@code dev.outpost.samples.yjs.codec}, no dependency of its own), which
 * is checked by {@code ArchitectureTest}.
 */
package dev.outpost.samples.yjs;
