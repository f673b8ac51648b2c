package dev.outpost.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code outpost node}: one node serving a code bundle until SIGTERM or Ctrl-C. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Run one Outpost node: object host, storage and router.")
final class NodeCommand implements Callable<Integer> {

  @Option(names = "--node-id", defaultValue = "node-1", description = "Unique id of this node.")
  String nodeId;

  @Option(names = "--region", defaultValue = "local", description = "Region this node is in.")
  String region;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description =
          "Address the HTTP server binds; 0.0.0.0 (or ::) for every interface. The cluster uses"
              + " --advertise.")
  String host;

  @Option(
      names = "--advertise",
      paramLabel = "ADDRESS",
      description =
          "Address other nodes reach this node at: its cluster member (Hazelcast) binds it and"
              + " announces it, and routers forward to its HTTP port there. Default: --host, or"
              + " 127.0.0.1 when --host is 0.0.0.0 or ::; set it for a cluster across machines.")
  String advertise;

  @Option(names = "--http-port", defaultValue = "8080", description = "Port for clients.")
  int httpPort;

  @Option(
      names = "--cluster-port",
      defaultValue = "5701",
      description = "Port of this node's cluster member (Hazelcast).")
  int clusterPort;

  @Option(
      names = "--join",
      split = ",",
      description =
          "HOST:PORT (cluster ports) of members to join; none starts a new cluster. Or"
              + " dns:NAME: every address NAME resolves to, at this node's --cluster-port (a"
              + " Kubernetes headless service with publishNotReadyAddresses).")
  List<String> join = List.of();

  @Option(
      names = "--topology",
      description =
          "Region topology JSON (regions, jurisdictions, hints, latencies);"
              + " default: deploy/regions.json.")
  Path topology;

  @Option(
      names = "--handover-on-exit",
      defaultValue = "true",
      negatable = true,
      description =
          "On SIGTERM, hand objects to other nodes of the region first (default); with"
              + " --no-handover-on-exit they stay here, unavailable until the node returns.")
  boolean handOverOnExit;

  @Option(
      names = "--emulate-latency",
      description = "Add the topology's one-way latencies to node links and declared clients.")
  boolean emulateLatency;

  @Option(
      names = "--cluster-name",
      defaultValue = "outpost",
      description = "Only nodes with the same cluster name join each other.")
  String clusterName;

  @Option(names = "--data-dir", required = true, description = "Directory for this node's data.")
  Path dataDir;

  @Option(
      names = "--bundle",
      paramLabel = "JAR",
      description =
          "Code bundle (jar or classes dir), one app (its bundle.name) each; repeat to run several"
              + " apps side by side (no namespace in two). Default: the samples.")
  List<Path> bundles = new java.util.ArrayList<>();

  @Option(
      names = "--sync-writes",
      description = "fsync the write-ahead log on every commit (default: WAL without fsync).")
  boolean syncWrites;

  @Option(
      names = "--max-message-size",
      defaultValue = "1048576",
      description = "Largest incoming WebSocket message / HTTP body, bytes (max 32 MiB).")
  int maxMessageSize;

  @Option(
      names = "--ws-deflate",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Accept permessage-deflate from WebSocket clients, as browsers offer it (default);"
              + " --no-ws-deflate refuses it.")
  boolean wsDeflate;

  @Option(
      names = "--ws-deflate-threshold",
      defaultValue = "1024",
      description =
          "Outgoing WebSocket messages under this many bytes go out uncompressed even when"
              + " permessage-deflate was negotiated; 0 compresses all (default ${DEFAULT-VALUE}).")
  int wsDeflateThreshold;

  @Option(
      names = "--idle-timeout-ms",
      defaultValue = "10000",
      description = "Evict an object after this long without events.")
  long idleTimeoutMs;

  @Option(
      names = "--replica-peers",
      description =
          "Replicate object storage with Raft across these nodes (this one included), as"
              + " NODE@REGION=HOST:RAFTPORT,...; every node of the cluster gets the same list."
              + " Default: no replication (an object's data lives on its owner only).")
  String replicaPeers;

  @Option(
      names = "--replica-copies",
      defaultValue = "3",
      description = "Copies of each object's data with --replica-peers.")
  int replicaCopies;

  @Option(
      names = "--election-timeout-ms",
      defaultValue = "1000",
      description =
          "With --replica-peers: the shortest Raft election timeout; the longest is twice it."
              + " Failover takes about 1-2x the longest.")
  long electionTimeoutMs;

  @Option(
      names = "--snapshot-interval",
      defaultValue = "10000",
      description =
          "With --replica-peers: Raft log entries between two snapshots of a replica group's copy;"
              + " the log before a snapshot is purged.")
  long snapshotInterval;

  @Option(
      names = "--replace-lost-after-ms",
      defaultValue = "300000",
      description =
          "With --replica-peers: how long a copy's node must be gone before its group builds a new"
              + " copy on another live peer (5 minutes).")
  long replaceLostAfterMs;

  @Option(
      names = "--allow-origin",
      split = ",",
      paramLabel = "ORIGIN",
      description =
          "Origin (scheme://host[:port]) whose pages may call this node across origins (CORS);"
              + " repeat or separate with commas; * allows any. Default: none, same-origin only.")
  java.util.List<String> allowedOrigins = new java.util.ArrayList<>();

  @picocli.CommandLine.Mixin AuthFlags auth;

  @Option(
      names = "--admin-token-file",
      paramLabel = "FILE",
      description =
          "File holding the admin token (default: $OUTPOST_ADMIN_TOKEN, else a development token,"
              + " which is refused unless --host and --advertise are loopback).")
  Path adminTokenFile;

  @Option(
      names = "--link-secret-file",
      paramLabel = "FILE",
      description =
          "File holding the secret node links present, the same on every node (default:"
              + " $OUTPOST_LINK_SECRET, else a development secret, refused unless --host and"
              + " --advertise are loopback).")
  Path linkSecretFile;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description =
          "Certificate chain (PEM) of this node: the HTTP port serves HTTPS/WSS and node links use"
              + " TLS with client certificates. Needs --tls-key and --tls-trust; every node of the"
              + " cluster alike.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key (PEM) of --tls-cert.")
  Path tlsKey;

  @Option(
      names = "--tls-trust",
      paramLabel = "PEM",
      description = "Certificates (PEM) trusted for the other nodes' links: their CA.")
  Path tlsTrust;

  @Option(
      names = "--request-head-timeout-ms",
      defaultValue = "10000",
      description =
          "Close a connection that has not sent a complete request head this long after it opened"
              + " or after its previous response.")
  long requestHeadTimeoutMs;

  @Option(
      names = "--max-connections-per-address",
      defaultValue = "1000",
      description =
          "Most connections one client address may hold open; more are closed at once (0: no"
              + " cap). Node links count too.")
  int maxConnectionsPerAddress;

  @Option(
      names = "--log-format",
      paramLabel = "text|json",
      description =
          "Log lines as text or as one JSON object per line (default: $OUTPOST_LOG_FORMAT, else"
              + " text).")
  String logFormat;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    LogFormat.choose(logFormat, System.getenv(LogFormat.ENV)).apply();
    String clusterHost = NodeAddresses.advertised(spec.commandLine(), host, advertise);
    String adminToken = NodeSecrets.adminToken(adminTokenFile, System.getenv());
    String linkSecret = NodeSecrets.linkSecret(linkSecretFile, System.getenv());
    NodeSecrets.requireSecureBinding(host, clusterHost, adminToken, linkSecret);
    dev.outpost.router.ListenerOptions listener = listenerOptions();
    dev.outpost.runtime.ReplicationOptions replication = null;
    if (replicaPeers != null) {
      try {
        replication =
            dev.outpost.runtime.ReplicationOptions.of(
                    dev.outpost.runtime.ReplicationOptions.parsePeers(replicaPeers))
                .withCopies(replicaCopies)
                .withElectionTimeout(java.time.Duration.ofMillis(electionTimeoutMs))
                .withSnapshotInterval(snapshotInterval)
                .withReplaceLostAfter(java.time.Duration.ofMillis(replaceLostAfterMs));
        replication.peer(nodeId); // this node must be one of them
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--replica-peers: " + e.getMessage());
      }
    }
    dev.outpost.runtime.ClusterOptions clusterOptions;
    try {
      clusterOptions =
          dev.outpost.runtime.ClusterOptions.of(
                  nodeId, region, clusterHost, httpPort, clusterPort, join)
              .withClusterName(clusterName)
              .withLinkSecret(linkSecret);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    dev.outpost.router.AuthOptions authOptions = auth.options(spec, System.getenv());
    NodeAddresses.requireFree(host, httpPort, "HTTP", "--http-port", "--host");
    NodeAddresses.requireFree(
        clusterHost,
        clusterPort,
        "cluster",
        "--cluster-port",
        advertise == null ? "--host" : "--advertise");
    NodeSpec nodeSpec =
        new NodeSpec(
            nodeId,
            region,
            host,
            httpPort,
            clusterPort,
            dataDir,
            bundles.isEmpty() ? List.of(NodeSpec.samplesBundle()) : bundles,
            syncWrites,
            maxMessageSize,
            java.time.Duration.ofMillis(idleTimeoutMs),
            clusterOptions,
            topology == null
                ? NodeSpec.defaultTopology()
                : dev.outpost.runtime.RegionTopology.load(topology),
            emulateLatency,
            adminToken,
            replication,
            allowedOrigins,
            listener,
            new dev.outpost.router.WebSocketCompressionOptions(wsDeflate, wsDeflateThreshold));
    try (RunningNode node = RunningNode.start(nodeSpec, authOptions)) {
      node.handOverOnExit(handOverOnExit);
      System.out.printf(
          "outpost node %s (region %s) serving %s on %s%s%n",
          nodeId,
          region,
          node.bundleDescription(),
          node.baseUrl(),
          clusterHost.equals(host)
              ? ""
              : " (advertised to the cluster as " + clusterHost + ":" + clusterPort + ")");
      node.awaitShutdownSignal();
    }
    return 0;
  }

  private dev.outpost.router.ListenerOptions listenerOptions() {
    dev.outpost.router.ListenerOptions listener;
    try {
      listener =
          dev.outpost.router.ListenerOptions.defaults()
              .withRequestHeadTimeout(java.time.Duration.ofMillis(requestHeadTimeoutMs))
              .withMaxConnectionsPerAddress(maxConnectionsPerAddress);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    int tlsFiles =
        (tlsCert != null ? 1 : 0) + (tlsKey != null ? 1 : 0) + (tlsTrust != null ? 1 : 0);
    if (tlsFiles == 0) {
      return listener;
    }
    if (tlsFiles != 3) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "TLS needs all three of --tls-cert, --tls-key and --tls-trust");
    }
    try {
      return listener.withTls(new dev.outpost.router.TlsOptions(tlsCert, tlsKey, tlsTrust));
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage() + "; check --tls-cert, --tls-key and --tls-trust", e);
    }
  }
}
