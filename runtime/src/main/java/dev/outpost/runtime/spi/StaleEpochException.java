package dev.outpost.runtime.spi;

/**
 * A batch was refused because the object already committed a batch with a higher epoch: the writer
 * is no longer the object's owner.
 */
public class StaleEpochException extends StorageException {

  /** Creates the exception naming both epochs. */
  public StaleEpochException(String object, long batchEpoch, long currentEpoch) {
    super(
        "batch for "
            + object
            + " has epoch "
            + batchEpoch
            + " but epoch "
            + currentEpoch
            + " already committed: the writer is no longer the owner");
  }
}
