package dev.outpost.api;

/**
 * Options of one write.
 *
 * @param allowUnconfirmed when true, messages sent after this write do not wait for it to be
 *     durable; use {@link DurableObjectStorage#sync()} to wait explicitly
 */
public record WriteOptions(boolean allowUnconfirmed) {

  /** The default: output waits until the write is durable. */
  public static final WriteOptions DEFAULT = new WriteOptions(false);

  /** Output does not wait for this write. */
  public static WriteOptions unconfirmed() {
    return new WriteOptions(true);
  }
}
