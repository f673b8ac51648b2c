package dev.outpost.api;

/**
 * Thrown by {@link DurableObjectStorage} when a call exceeds a storage limit. The message names the
 * limit, the value seen and the setting that changes it, for example: "value for key 'doc' is 3.1
 * MiB; the limit is 2 MiB (outpost.storage.max-value-size)". Nothing was written.
 */
public class StorageLimitException extends IllegalArgumentException {

  /** Creates the exception with a message that names the limit and its setting. */
  public StorageLimitException(String message) {
    super(message);
  }
}
