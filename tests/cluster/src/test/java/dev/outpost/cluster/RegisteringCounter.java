package dev.outpost.cluster;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A counter that records which node constructed it, for tests that check single activation: all
 * in-JVM nodes load this class from the test class path, so its registry is shared, and any
 * construction of the same object on a second node is a violation.
 *
 * <p>{@code POST /slow} increments only after {@link #gate} opens, to hold a turn open.
 */
public final class RegisteringCounter implements DurableObject {

  /** Object id → the node that first constructed it. */
  static final ConcurrentHashMap<String, String> OWNERS = new ConcurrentHashMap<>();

  /** Object id → every node that ever constructed it. */
  static final ConcurrentHashMap<String, Set<String>> CONSTRUCTED_ON = new ConcurrentHashMap<>();

  /** Constructions on a second node. */
  static final CopyOnWriteArrayList<String> VIOLATIONS = new CopyOnWriteArrayList<>();

  static volatile CountDownLatch entered = new CountDownLatch(1);
  static volatile CountDownLatch gate = new CountDownLatch(0);

  private final DurableObjectState state;

  public RegisteringCounter(DurableObjectState state, Env env) {
    this.state = state;
    String node = env.setting("node").orElse("?");
    String id = state.id().toString();
    CONSTRUCTED_ON.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(node);
    String first = OWNERS.putIfAbsent(id, node);
    if (first != null && !first.equals(node)) {
      VIOLATIONS.add(state.id().name().orElse(id) + " live on " + first + " and " + node);
    }
  }

  static void reset() {
    OWNERS.clear();
    CONSTRUCTED_ON.clear();
    VIOLATIONS.clear();
    entered = new CountDownLatch(1);
    gate = new CountDownLatch(0);
  }

  @Override
  public Response fetch(Request request) throws Exception {
    if (request.method().equals("GET")) {
      return Response.ok(Long.toString(current()));
    }
    if (request.path().equals("/slow")) {
      entered.countDown();
      gate.await();
    }
    long next = current() + 1;
    state.storage().put("value", next);
    return Response.ok(Long.toString(next));
  }

  private long current() {
    return state.storage().get("value", Long.class).orElse(0L);
  }
}
