package dev.outpost.runtime.internal.bundle;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.Request;
import dev.outpost.api.Response;

/** An object class that {@link BundleLoaderTest} copies into bundle directories. */
public final class BundleRoom implements DurableObject {

  public BundleRoom(DurableObjectState state, Env env) {}

  @Override
  public Response fetch(Request request) {
    return Response.ok("room");
  }
}
