package dev.outpost.runtime.spi;

/** A storage engine failed to read or write; the operation had no effect. */
public class StorageException extends RuntimeException {

  /** Creates the exception. */
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Creates the exception. */
  public StorageException(String message) {
    super(message);
  }
}
