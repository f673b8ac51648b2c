package dev.outpost.runtime.internal.activation;

/** Something a turn sends to the outside world, held by the output gate until it may leave. */
interface HeldOutput {

  /** Lets it leave. Never blocks. */
  void release();

  /** Drops it because the writes before it could not be made durable. */
  void drop(Throwable cause);
}
