package dev.outpost.api;

/**
 * The storage view inside {@link DurableObjectStorage#transaction}. Its writes become visible to
 * the rest of the turn only if the transaction function returns normally without calling {@link
 * #rollback()}.
 */
public interface DurableObjectTransaction extends StorageOperations {

  /** Discards every write of this transaction when the function returns. */
  void rollback();
}
