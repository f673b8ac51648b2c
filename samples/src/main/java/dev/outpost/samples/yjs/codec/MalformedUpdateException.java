package dev.outpost.samples.yjs.codec;

/** Bytes that are not a valid Yjs update, state vector or y-websocket message. */
public final class MalformedUpdateException extends IllegalArgumentException {

  public MalformedUpdateException(String message) {
    super(message);
  }
}
