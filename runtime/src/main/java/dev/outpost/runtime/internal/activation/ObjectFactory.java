package dev.outpost.runtime.internal.activation;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.runtime.ObjectAddress;

/** Constructs instances of the class registered for an object's namespace. */
public interface ObjectFactory {

  /**
   * A new instance for {@code address}; runs the user constructor on the calling thread.
   *
   * @throws Exception whatever the constructor threw
   */
  DurableObject create(ObjectAddress address, DurableObjectState state) throws Exception;
}
