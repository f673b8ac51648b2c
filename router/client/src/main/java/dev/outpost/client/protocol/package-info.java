/**
 * The {@code outpost.v1} wire protocol's names, defined once: the WebSocket subprotocol, query
 * parameters, operations, transports, headers, frame types and fields, event names ({@code
 * OutpostV1}) and the close codes clients act on ({@code CloseCodes}). Shared by the Java client
 * and the router; constants only, JDK only.
 */
package dev.outpost.client.protocol;
