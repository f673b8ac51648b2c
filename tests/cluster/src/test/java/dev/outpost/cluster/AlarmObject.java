package dev.outpost.cluster;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code POST /arm?ms=N} sets an alarm N ms ahead; the alarm adds one to the stored {@code fired}
 * and to {@link #FIRINGS} (shared by the in-JVM nodes), so a test can count deliveries across
 * nodes. {@code GET} answers the stored count.
 */
public final class AlarmObject implements DurableObject {

  /** Object name → how many times its alarm ran, on any node. */
  static final ConcurrentHashMap<String, AtomicInteger> FIRINGS = new ConcurrentHashMap<>();

  private final DurableObjectState state;

  public AlarmObject(DurableObjectState state, Env env) {
    this.state = state;
  }

  @Override
  public Response fetch(Request request) {
    if (request.method().equals("POST")) {
      long ms = Long.parseLong(request.url().replaceAll(".*[?&]ms=(\\d+).*", "$1"));
      state.storage().setAlarm(Instant.now().plus(Duration.ofMillis(ms)));
      return Response.ok("armed");
    }
    return Response.ok(Integer.toString(state.storage().get("fired", Integer.class).orElse(0)));
  }

  @Override
  public void alarm(AlarmInfo info) {
    int fired = state.storage().get("fired", Integer.class).orElse(0) + 1;
    state.storage().put("fired", fired);
    FIRINGS
        .computeIfAbsent(state.id().name().orElse("?"), k -> new AtomicInteger())
        .incrementAndGet();
  }
}
