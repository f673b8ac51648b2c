package dev.outpost.runtime.internal.bundle;

import dev.outpost.api.DurableObjectId;
import dev.outpost.api.DurableObjectNamespace;
import dev.outpost.api.DurableObjectStub;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.internal.rpc.RpcStubs;
import java.util.Objects;
import java.util.Optional;

/**
 * A namespace of this node's bundle, optionally restricted to a jurisdiction; its stubs call
 * through {@link StubCalls}.
 */
public final class LocalNamespace implements DurableObjectNamespace {

  private final String name;
  private final ObjectIds ids;
  private final StubCalls calls;
  private final Optional<String> jurisdiction; // empty: unrestricted

  public LocalNamespace(String name, ObjectIds ids, StubCalls calls) {
    this(name, ids, calls, Optional.empty());
  }

  private LocalNamespace(
      String name, ObjectIds ids, StubCalls calls, Optional<String> jurisdiction) {
    this.name = name;
    this.ids = ids;
    this.calls = calls;
    this.jurisdiction = jurisdiction;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public DurableObjectNamespace jurisdiction(String value) {
    DurableObjectId.checkJurisdiction(Objects.requireNonNull(value, "jurisdiction"));
    return new LocalNamespace(name, ids, calls, Optional.of(value));
  }

  @Override
  public DurableObjectId idFromName(String objectName) {
    return ids.fromName(name, Objects.requireNonNull(objectName, "name"), jurisdiction);
  }

  @Override
  public DurableObjectId newUniqueId() {
    return ids.unique(name, jurisdiction);
  }

  @Override
  public DurableObjectId idFromString(String hex) {
    DurableObjectId id = ids.parse(name, hex);
    if (jurisdiction.isPresent() && !id.jurisdiction().equals(jurisdiction)) {
      throw new IllegalArgumentException(
          "object id " + hex.substring(0, 12) + "... is not of jurisdiction " + jurisdiction.get());
    }
    return id;
  }

  @Override
  public DurableObjectStub get(DurableObjectId id) {
    ObjectAddress address = new ObjectAddress(name, Objects.requireNonNull(id, "id"));
    return new DurableObjectStub() {
      @Override
      public DurableObjectId id() {
        return id;
      }

      @Override
      public Response fetch(Request request) {
        return calls.call(address, Objects.requireNonNull(request, "request"));
      }

      @Override
      public <T> T rpc(Class<T> api) {
        return RpcStubs.create(
            api, address.toString(), calls.maxRpcSize(), request -> calls.call(address, request));
      }
    };
  }
}
