package dev.outpost.runtime;

import dev.outpost.api.DurableObjectException;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/** Runs test code inside a turn of a {@link Scripted} object and hands back its result. */
final class TurnRunner implements Scripted.Behavior {

  private volatile Function<DurableObjectState, ?> body;
  private final AtomicReference<Object> result = new AtomicReference<>();

  static TurnRunner install() {
    TurnRunner runner = new TurnRunner();
    Scripted.reset(runner);
    return runner;
  }

  @Override
  public Response fetch(DurableObjectState state, Request request) {
    result.set(body.apply(state));
    return Response.ok("done");
  }

  /**
   * Runs {@code code} as one turn of object {@code name} in namespace {@code t}; rethrows what it
   * threw.
   */
  @SuppressWarnings("unchecked")
  <T> T run(ObjectHarness harness, String name, Function<DurableObjectState, T> code) {
    body = code;
    try {
      harness
          .fetchAsync("t", name, Request.builder("POST", "/run").path("/run").build())
          .get(10, TimeUnit.SECONDS);
      return (T) result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DurableObjectException d
          && d.getCause() instanceof RuntimeException thrown) {
        throw thrown;
      }
      throw new AssertionError("turn failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("turn did not complete: " + e, e);
    }
  }
}
