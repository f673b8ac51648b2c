package dev.outpost.runtime.internal.bundle;

import dev.outpost.api.DurableObjectId;
import dev.outpost.api.DurableObjectNamespace;
import dev.outpost.api.DurableObjectStub;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.internal.activation.ObjectCatalog;
import java.util.Objects;

/** A namespace of this node's bundle; its stubs call through the catalog. */
public final class LocalNamespace implements DurableObjectNamespace {

  private final String name;
  private final ObjectIds ids;
  private final ObjectCatalog catalog;

  public LocalNamespace(String name, ObjectIds ids, ObjectCatalog catalog) {
    this.name = name;
    this.ids = ids;
    this.catalog = catalog;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public DurableObjectId idFromName(String objectName) {
    return ids.fromName(name, Objects.requireNonNull(objectName, "name"));
  }

  @Override
  public DurableObjectId newUniqueId() {
    return ids.unique(name);
  }

  @Override
  public DurableObjectId idFromString(String hex) {
    return ids.parse(name, hex);
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
        return catalog.call(address, Objects.requireNonNull(request, "request"));
      }
    };
  }
}
