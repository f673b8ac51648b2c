package dev.outpost.runtime;

import dev.outpost.api.DurableObjectException;
import java.util.Optional;

/**
 * An event reached a node that does not own the object (any more). The router refreshes its view of
 * the placement and sends the event to the owner. Retryable.
 */
public final class NotOwnerException extends DurableObjectException {

  private final String owner; // null when the object has no placement

  /** Creates the exception naming the real owner, if known. */
  public NotOwnerException(ObjectAddress address, String thisNode, String owner) {
    super(
        address + " is not owned by node " + thisNode + (owner == null ? "" : "; owner: " + owner),
        null,
        false,
        true,
        false);
    this.owner = owner;
  }

  /** The owner according to the directory, if any. */
  public Optional<String> owner() {
    return Optional.ofNullable(owner);
  }
}
