package dev.outpost.runtime.internal.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import dev.outpost.api.DurableObjectId;
import dev.outpost.runtime.ClusterOptions;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.ClusterMembership;
import dev.outpost.runtime.spi.ObjectDirectory;
import dev.outpost.runtime.spi.PlacementRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The node's embedded Hazelcast member, and the two views Outpost takes of it: {@link
 * ClusterMembership} (members and their attributes) and {@link ObjectDirectory} (a partitioned map
 * {@value #DIRECTORY} of object key → {@link PlacementRecord#encode()}, one backup).
 *
 * <p>Configured for loopback-safe, fast-failing clusters (docs/design.md §5): TCP-IP join on the
 * given members only (or, for a {@code dns:NAME} join entry, Hazelcast's Kubernetes discovery in
 * DNS mode: every address NAME resolves to), multicast and auto-detection off, bound to the node's
 * interface, no phone-home, no REST, heartbeats every second and members removed after {@code
 * failureTimeout} of silence instead of a minute. Hazelcast's own shutdown hook is off: the node
 * shuts the member down itself after handing its objects over.
 *
 * <p>The only package that imports Hazelcast.
 */
public final class HazelcastCluster
    implements ClusterMembership,
        ObjectDirectory,
        dev.outpost.runtime.spi.ReplicaGroupDirectory,
        AutoCloseable {

  static final String DIRECTORY = "outpost-directory";
  static final String LEASES = "outpost-leases";
  static final String LOADS = "outpost-loads";
  static final String GROUPS = "outpost-replica-groups";
  static final String NAMES = "outpost-names";
  private static final String NODE = "outpost.node";
  private static final String REGION = "outpost.region";
  private static final String HTTP_PORT = "outpost.http-port";

  private final HazelcastInstance hazelcast;
  private final IMap<String, String> directory;
  private final IMap<String, String> leases;
  private final IMap<String, String> loads; // node -> "objects/sockets"
  private final IMap<String, String> groups; // replica group -> "node|term|indexed"
  private final IMap<String, String> names; // object key (as in directory) -> idFromName's name
  private final NodeInfo self;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  /**
   * The live nodes as of the last membership change: routers look an owner up on every forwarded
   * request, and rebuilding it from Hazelcast's member attributes each time cost ~6% of a router's
   * CPU (docs/benchmarks.md, "Forwarding, round two"). Replaced whole by {@link #refreshMembers()}
   * on each membership event (before the listeners hear of it) and after a split-brain merge.
   */
  private volatile Members members;

  /** The live nodes in Hazelcast's member order, and the same by node id. */
  private record Members(List<NodeInfo> nodes, Map<String, NodeInfo> byId) {
    static Members of(Iterable<Member> members) {
      List<NodeInfo> nodes = new ArrayList<>();
      Map<String, NodeInfo> byId = new HashMap<>();
      for (Member member : members) {
        NodeInfo node = info(member);
        nodes.add(node);
        byId.put(node.nodeId(), node);
      }
      return new Members(List.copyOf(nodes), Map.copyOf(byId));
    }
  }

  private HazelcastCluster(HazelcastInstance hazelcast, NodeInfo self) {
    this.hazelcast = hazelcast;
    this.self = self;
    this.directory = hazelcast.getMap(DIRECTORY);
    this.leases = hazelcast.getMap(LEASES);
    this.loads = hazelcast.getMap(LOADS);
    this.groups = hazelcast.getMap(GROUPS);
    this.names = hazelcast.getMap(NAMES);
    hazelcast
        .getCluster()
        .addMembershipListener(
            new MembershipListener() {
              @Override
              public void memberAdded(MembershipEvent event) {
                refreshMembers();
                NodeInfo node = info(event.getMember());
                listeners.forEach(l -> l.nodeJoined(node));
              }

              @Override
              public void memberRemoved(MembershipEvent event) {
                refreshMembers();
                NodeInfo node = info(event.getMember());
                listeners.forEach(l -> l.nodeLeft(node));
              }
            });
    // A split-brain merge replaces the member list; read it again then too.
    hazelcast
        .getLifecycleService()
        .addLifecycleListener(
            event -> {
              if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
                refreshMembers();
              }
            });
    refreshMembers(); // after the listeners are in place, so that no change falls in between
  }

  /**
   * Reads the member list afresh. Synchronized so that a later read is never overwritten by an
   * earlier one (the constructor's first read can race with the first membership event).
   */
  private synchronized void refreshMembers() {
    members = Members.of(hazelcast.getCluster().getMembers());
  }

  /** Starts the member and joins the cluster; blocks until joined. */
  public static HazelcastCluster start(ClusterOptions options) {
    Config config = new Config();
    config.setClusterName(options.clusterName());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "2");
    config.setProperty(
        "hazelcast.heartbeat.interval.seconds",
        Long.toString(Math.max(1, options.heartbeatInterval().toSeconds())));
    config.setProperty(
        "hazelcast.max.no.heartbeat.seconds",
        Long.toString(Math.max(2, options.failureTimeout().toSeconds())));
    config.setProperty("hazelcast.operation.call.timeout.millis", "10000");
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(options.clusterPort()).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface(options.host());
    network.getRestApiConfig().setEnabled(false);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    java.util.Optional<String> dnsName = options.joinDnsName();
    if (dnsName.isPresent()) {
      // Hazelcast's Kubernetes discovery in DNS mode (no API access): every address the name
      // resolves to, asked again at each join attempt and split-brain merge check.
      join.getKubernetesConfig()
          .setEnabled(true)
          .setProperty("service-dns", dnsName.get())
          .setProperty("service-port", Integer.toString(options.clusterPort()))
          .setProperty("service-dns-timeout", "5");
    } else {
      join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2);
      join.getTcpIpConfig().addMember(options.host() + ":" + options.clusterPort());
      options.join().forEach(member -> join.getTcpIpConfig().addMember(member));
    }
    config
        .getMemberAttributeConfig()
        .setAttribute(NODE, options.nodeId())
        .setAttribute(REGION, options.region())
        .setAttribute(HTTP_PORT, Integer.toString(options.httpPort()));
    config.addMapConfig(new MapConfig(DIRECTORY).setBackupCount(1));
    config.addMapConfig(new MapConfig(NAMES).setBackupCount(1));
    config.setUserContext(new java.util.concurrent.ConcurrentHashMap<>());
    HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(config);
    NodeInfo self =
        new NodeInfo(options.nodeId(), options.region(), options.host(), options.httpPort());
    return new HazelcastCluster(hazelcast, self);
  }

  private static NodeInfo info(Member member) {
    return new NodeInfo(
        member.getAttribute(NODE),
        member.getAttribute(REGION),
        member.getAddress().getHost(),
        Integer.parseInt(member.getAttribute(HTTP_PORT)));
  }

  // ---- ClusterMembership

  @Override
  public NodeInfo self() {
    return self;
  }

  @Override
  public List<NodeInfo> liveNodes() {
    return members.nodes();
  }

  @Override
  public Optional<NodeInfo> node(String nodeId) {
    return Optional.ofNullable(members.byId().get(nodeId));
  }

  @Override
  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  // ---- ObjectDirectory

  private static String key(ObjectAddress address) {
    return address.namespace() + "/" + address.id();
  }

  @Override
  public Optional<PlacementRecord> lookup(ObjectAddress address) {
    return Optional.ofNullable(directory.get(key(address))).map(PlacementRecord::decode);
  }

  @Override
  public PlacementRecord register(ObjectAddress address, PlacementRecord proposal) {
    String existing = directory.putIfAbsent(key(address), proposal.encode());
    return existing == null ? proposal : PlacementRecord.decode(existing);
  }

  @Override
  public boolean compareAndSet(
      ObjectAddress address, PlacementRecord expected, PlacementRecord next) {
    return directory.replace(key(address), expected.encode(), next.encode());
  }

  @Override
  public boolean remove(ObjectAddress address, PlacementRecord expected) {
    return directory.remove(key(address), expected.encode());
  }

  @Override
  public List<ObjectAddress> ownedBy(String node) {
    List<ObjectAddress> owned = new ArrayList<>();
    for (var entry : directory.entrySet(Predicates.like("this", node + "|%"))) {
      if (!PlacementRecord.decode(entry.getValue()).owner().equals(node)) {
        continue; // LIKE treats '_' in node ids as a wildcard
      }
      String key = entry.getKey();
      int slash = key.indexOf('/');
      owned.add(
          new ObjectAddress(
              key.substring(0, slash),
              DurableObjectId.of(key.substring(slash + 1), Optional.empty())));
    }
    return owned;
  }

  @Override
  public void recordName(ObjectAddress address) {
    address.id().name().ifPresent(name -> names.putIfAbsent(key(address), name));
  }

  @Override
  public Optional<String> nameOf(ObjectAddress address) {
    return Optional.ofNullable(names.get(key(address)));
  }

  /** Most objects one {@link #list} page returns. */
  static final int MAX_PAGE = 1000;

  @Override
  public DirectoryPage list(String namespace, Optional<String> after, int limit) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE + ", was " + limit);
    }
    if (!ObjectAddress.isValidNamespace(namespace)) {
      throw new IllegalArgumentException(
          "namespace '" + namespace + "' is invalid: use 1 to 64 characters of [a-z0-9_-]");
    }
    after.ifPresent(
        id -> {
          if (!DurableObjectId.isWellFormed(id)) {
            throw new IllegalArgumentException(
                "the cursor is an object id (64 lowercase hex digits); got '" + id + "'");
          }
        });
    // Keys are "namespace/hex"; '0' is the character after '/', so [ns/, ns0) is the namespace.
    String low = namespace + "/" + after.orElse("");
    String high = namespace + "0";
    List<String> keys =
        new ArrayList<>(
            directory.keySet(
                Predicates.and(
                    after.isPresent()
                        ? Predicates.greaterThan("__key", low)
                        : Predicates.greaterEqual("__key", low),
                    Predicates.lessThan("__key", high))));
    keys.sort(null);
    boolean more = keys.size() > limit;
    List<String> page = keys.subList(0, Math.min(limit, keys.size()));
    java.util.Map<String, String> records = directory.getAll(new java.util.HashSet<>(page));
    java.util.Map<String, String> named = names.getAll(new java.util.HashSet<>(page));
    List<Listed> objects = new ArrayList<>();
    for (String key : page) {
      String record = records.get(key);
      if (record == null) {
        continue; // removed meanwhile
      }
      String hex = key.substring(namespace.length() + 1);
      objects.add(
          new Listed(
              new ObjectAddress(
                  namespace, DurableObjectId.of(hex, Optional.ofNullable(named.get(key)))),
              PlacementRecord.decode(record)));
    }
    return new DirectoryPage(
        objects,
        more
            ? Optional.of(page.get(page.size() - 1).substring(namespace.length() + 1))
            : Optional.empty());
  }

  // ---- ReplicaGroupDirectory

  @Override
  public void publishLeader(String group, GroupLeader leader) {
    String next = leader.node() + "|" + leader.term() + "|" + leader.indexed();
    for (int attempt = 0; attempt < 16; attempt++) {
      String current = groups.putIfAbsent(group, next);
      if (current == null) {
        return;
      }
      GroupLeader known = decodeLeader(current);
      boolean newer =
          leader.term() > known.term()
              || (leader.term() == known.term()
                  && leader.node().equals(known.node())
                  && leader.indexed()
                  && !known.indexed());
      if (!newer || groups.replace(group, current, next)) {
        return;
      }
    }
  }

  @Override
  public Optional<GroupLeader> leader(String group) {
    return Optional.ofNullable(groups.get(group)).map(HazelcastCluster::decodeLeader);
  }

  private static GroupLeader decodeLeader(String value) {
    String[] parts = value.split("\\|");
    return new GroupLeader(parts[0], Long.parseLong(parts[1]), Boolean.parseBoolean(parts[2]));
  }

  /**
   * Renews this node's lease entry (a TTL entry in {@value #LEASES}); true if the cluster took it.
   * Blocks on the network.
   */
  public boolean renewLease(java.time.Duration ttl) {
    if (!isRunning()) {
      return false;
    }
    leases.set(self.nodeId(), "alive", ttl.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    return true;
  }

  /** Publishes this node's figures, for placement and the cluster map; they expire with it. */
  public void publishStats(
      dev.outpost.runtime.ClusterView.NodeStats stats, java.time.Duration ttl) {
    if (isRunning()) {
      loads.set(
          self.nodeId(),
          stats.objects() + "/" + stats.sockets(),
          ttl.toMillis(),
          java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  /** The figures each node published last. */
  public java.util.Map<String, dev.outpost.runtime.ClusterView.NodeStats> stats() {
    if (!isRunning()) {
      return java.util.Map.of();
    }
    java.util.Map<String, dev.outpost.runtime.ClusterView.NodeStats> result =
        new java.util.HashMap<>();
    loads.forEach(
        (node, text) -> {
          int slash = text.indexOf('/');
          result.put(
              node,
              new dev.outpost.runtime.ClusterView.NodeStats(
                  Integer.parseInt(text.substring(0, slash)),
                  Integer.parseInt(text.substring(slash + 1))));
        });
    return result;
  }

  /** The live objects each node published last. */
  public java.util.Map<String, Integer> loads() {
    java.util.Map<String, Integer> result = new java.util.HashMap<>();
    stats().forEach((node, s) -> result.put(node, s.objects()));
    return result;
  }

  /** The cluster's code rollout. */
  public CodeRollout rollout(dev.outpost.runtime.TimeSource time) {
    return new CodeRollout(hazelcast, time);
  }

  /** Whether the member still runs. */
  public boolean isRunning() {
    return hazelcast.getLifecycleService().isRunning();
  }

  /** Leaves the cluster gracefully: partitions migrate away first. */
  @Override
  public void close() {
    if (hazelcast.getLifecycleService().isRunning()) {
      hazelcast.shutdown();
    }
  }

  /** Stops the member abruptly, as a crash would (tests). */
  public void terminateForTest() {
    hazelcast.getLifecycleService().terminate();
  }
}
