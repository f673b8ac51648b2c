package dev.outpost.runtime.spi;

import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectSnapshot;
import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import java.util.concurrent.CompletableFuture;

/**
 * Ships an object's data to the node taking it over. Implemented by the router over the
 * node-to-node link; the receiving node installs it through {@code ObjectMigrations.install}.
 */
public interface HandoverTransport {

  /** Completes when {@code target} has durably installed the object at {@code epoch}. */
  CompletableFuture<Void> ship(
      NodeInfo target, ObjectAddress address, long epoch, ObjectSnapshot snapshot);
}
