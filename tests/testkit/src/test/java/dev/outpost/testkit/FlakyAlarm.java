package dev.outpost.testkit;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import java.time.Instant;

/**
 * A test object whose alarm counts its runs in storage and then throws; {@code POST /arm} with an
 * instant as body sets the alarm there.
 */
public final class FlakyAlarm implements DurableObject {

  private final DurableObjectState state;

  public FlakyAlarm(DurableObjectState state, Env env) {
    this.state = state;
  }

  @Override
  public Response fetch(Request request) {
    state.storage().setAlarm(Instant.parse(request.bodyText()));
    return Response.ok("armed");
  }

  @Override
  public void alarm(AlarmInfo info) {
    long runs = state.storage().get("runs", Long.class).orElse(0L);
    state.storage().put("runs", runs + 1);
    throw new IllegalStateException("alarm run " + (runs + 1) + " failed on purpose");
  }
}
