package dev.outpost.runtime;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Delivers an object-to-object call to the target's owner, wherever it is. On a node alone the
 * target is always local; in a cluster the router supplies one that forwards over node links.
 */
@FunctionalInterface
public interface ObjectCaller {

  /**
   * Sends {@code request} to {@code target}'s {@code fetch}.
   *
   * @param chain the objects whose turns wait on this call, outermost first; the target runs the
   *     call re-entrantly if it is itself waiting in this chain
   */
  CompletableFuture<Response> call(
      ObjectAddress target, Request request, List<ObjectAddress> chain);
}
