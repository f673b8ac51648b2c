package dev.outpost.runtime.internal.activation;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.runtime.ObjectAddress;

/**
 * Constructs instances of the class registered for an object's namespace, from a code version. An
 * activation asks for {@link #version(ObjectAddress)} before each turn and rebuilds its instance
 * when the version changed.
 */
public interface ObjectFactory {

  /**
   * The code version new instances of {@code address}'s namespace are built from now; compared by
   * identity. Null if no code serves the namespace any more ({@link #create} then throws, saying
   * so).
   */
  Object version(ObjectAddress address);

  /**
   * A new instance for {@code address} from {@code version}; runs the user constructor on the
   * calling thread.
   *
   * @throws Exception whatever the constructor threw
   */
  DurableObject create(ObjectAddress address, DurableObjectState state, Object version)
      throws Exception;
}
