package dev.outpost.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a node joins the cluster and how fast it notices failures.
 *
 * <p>Failure detection is tuned to seconds (Hazelcast's default is a minute): members heartbeat
 * every {@code heartbeatInterval} and a member silent for {@code failureTimeout} is removed. A node
 * serves its objects only while its own lease, renewed every {@code leaseRenewInterval}, was
 * renewed less than {@code leaseTtl - leaseMargin} ago by its own clock; so a node that paused or
 * lost the cluster stops committing and replying before anyone could treat it as gone.
 *
 * @param clusterName only members with the same name join each other
 * @param nodeId unique node id ({@code |} not allowed)
 * @param region the node's region
 * @param host the address this node is reached at by the others: its Hazelcast member binds and
 *     announces it, and other routers open node links to its HTTP port there (127.0.0.1 by default;
 *     never a wildcard such as 0.0.0.0). The HTTP server binds its own address ({@code
 *     RouterOptions.host}), which may be a wildcard.
 * @param httpPort the node's HTTP port (clients and node-to-node links)
 * @param clusterPort Hazelcast's member port
 * @param join HOST:PORT of members to join; empty to start a new cluster. Or one entry {@code
 *     dns:NAME}: the members are every address NAME resolves to (asked again at each join attempt
 *     and merge check), each at this node's {@code clusterPort}, as a Kubernetes headless service
 *     with {@code publishNotReadyAddresses} gives; see {@link #joinDnsName()}
 * @param heartbeatInterval Hazelcast heartbeat interval
 * @param failureTimeout Hazelcast's {@code max.no.heartbeat}: silence before a member is removed
 * @param leaseTtl how long one renewal of the node lease lasts
 * @param leaseMargin how much earlier than {@code leaseTtl} the node stops serving by itself
 * @param leaseRenewInterval how often the lease is renewed
 * @param linkSecret shared secret node-to-node links present; {@link #DEVELOPMENT_LINK_SECRET} by
 *     default, which a node refuses off loopback (see {@code OutpostNode})
 */
public record ClusterOptions(
    String clusterName,
    String nodeId,
    String region,
    String host,
    int httpPort,
    int clusterPort,
    List<String> join,
    Duration heartbeatInterval,
    Duration failureTimeout,
    Duration leaseTtl,
    Duration leaseMargin,
    Duration leaseRenewInterval,
    String linkSecret) {

  /**
   * The link secret of {@link #of}: well known, so a node bound to anything but loopback refuses to
   * start with it.
   */
  public static final String DEVELOPMENT_LINK_SECRET = "outpost-development-link-secret";

  /** Validates the fields. */
  public ClusterOptions {
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(host, "host");
    join = List.copyOf(join);
    for (String member : join) {
      if (member.startsWith(DNS_JOIN_PREFIX)
          && (join.size() > 1 || member.length() == DNS_JOIN_PREFIX.length())) {
        throw new IllegalArgumentException(
            "join "
                + join
                + ": a dns:NAME entry must be the only one and name a host (for example"
                + " dns:outpost-members.outpost.svc.cluster.local); drop the HOST:PORT entries or"
                + " the dns: entry");
      }
    }
    Objects.requireNonNull(linkSecret, "linkSecret");
    if (linkSecret.isBlank()) {
      throw new IllegalArgumentException("the link secret must not be blank");
    }
    if (nodeId.isBlank() || nodeId.contains("|") || region.contains("|")) {
      throw new IllegalArgumentException("node id and region must be non-blank without '|'");
    }
    if (leaseMargin.compareTo(leaseTtl) >= 0 || leaseRenewInterval.compareTo(leaseTtl) >= 0) {
      throw new IllegalArgumentException(
          "lease margin and renew interval must be shorter than the lease TTL");
    }
  }

  /** The prefix of a join entry that names a DNS name resolving to every member. */
  public static final String DNS_JOIN_PREFIX = "dns:";

  /**
   * The DNS name of a {@code dns:NAME} join entry, or empty when {@link #join()} lists HOST:PORT
   * members (or nothing). Every address the name resolves to is a member at {@link #clusterPort()}.
   */
  public java.util.Optional<String> joinDnsName() {
    return join.size() == 1 && join.get(0).startsWith(DNS_JOIN_PREFIX)
        ? java.util.Optional.of(join.get(0).substring(DNS_JOIN_PREFIX.length()))
        : java.util.Optional.empty();
  }

  /** Defaults: 1 s heartbeats, 5 s failure timeout, a 6 s lease renewed every 1 s, 2 s margin. */
  public static ClusterOptions of(
      String nodeId, String region, String host, int httpPort, int clusterPort, List<String> join) {
    return new ClusterOptions(
        "outpost",
        nodeId,
        region,
        host,
        httpPort,
        clusterPort,
        join,
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        Duration.ofSeconds(6),
        Duration.ofSeconds(2),
        Duration.ofSeconds(1),
        DEVELOPMENT_LINK_SECRET);
  }

  /** With another cluster name (tests run several clusters side by side). */
  public ClusterOptions withClusterName(String value) {
    return new ClusterOptions(
        value,
        nodeId,
        region,
        host,
        httpPort,
        clusterPort,
        join,
        heartbeatInterval,
        failureTimeout,
        leaseTtl,
        leaseMargin,
        leaseRenewInterval,
        linkSecret);
  }

  /** With the HTTP port the node actually bound. */
  public ClusterOptions withHttpPort(int value) {
    return new ClusterOptions(
        clusterName,
        nodeId,
        region,
        host,
        value,
        clusterPort,
        join,
        heartbeatInterval,
        failureTimeout,
        leaseTtl,
        leaseMargin,
        leaseRenewInterval,
        linkSecret);
  }

  /** With another node-link secret (every node of the cluster needs the same one). */
  public ClusterOptions withLinkSecret(String value) {
    return new ClusterOptions(
        clusterName,
        nodeId,
        region,
        host,
        httpPort,
        clusterPort,
        join,
        heartbeatInterval,
        failureTimeout,
        leaseTtl,
        leaseMargin,
        leaseRenewInterval,
        value);
  }
}
