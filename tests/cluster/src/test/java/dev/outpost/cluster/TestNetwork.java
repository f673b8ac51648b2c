package dev.outpost.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * A private network of Linux network namespaces for node processes, so a test can cut one node off
 * from the others for real (its packets are dropped, as with a pulled cable) while the test itself
 * still reaches every node. Needs root (CAP_NET_ADMIN) and {@code ip} (iproute2); without them
 * {@link #create} skips the test with an assumption that says why.
 *
 * <p>Layout, all names unique per run ({@code op<6 random>}, so a leftover of a killed run cannot
 * collide; its 10.213.S.0/24 is one no address or route of this host mentions):
 *
 * <ul>
 *   <li>{@code op<id>-sw}: a "switch" namespace holding a bridge {@code br0} with one port {@code
 *       pN} per node;
 *   <li>{@code op<id>-nN}: node N's namespace: {@code lo}; {@code eth0}, the other end of {@code
 *       pN}, with 10.213.S.N/24 (the node binds every server to it: HTTP, Hazelcast, Raft); {@code
 *       cli}, the test's own link (below), with no address, only a route back to the test; its
 *       ephemeral port range is set below the host's, where the test picks the node's server ports
 *       ({@code ClusterTestNode.freePort}), so none of the node's own connections can hold a port
 *       one of its servers is about to bind;
 *   <li>in the namespace of the test (the host's): one veth {@code op<id>cN} per node, the other
 *       end of node N's {@code cli}, with 10.214.S.N/32 and a route to 10.213.S.N/32 only. So the
 *       test reaches each node on its own link, and the nodes reach each other only through the
 *       switch. The host's other interfaces, addresses and routes are not touched.
 * </ul>
 *
 * {@link #cut} sets a node's switch port down: the node can no longer exchange a packet with any
 * other node, and the test still reaches it. {@link #close} deletes the test's veths and the
 * namespaces (the other veths go with them), also from a shutdown hook if the JVM exits before
 * {@code close}. Processes started in a namespace must be ended first ({@code ip netns delete} only
 * unlinks it).
 */
final class TestNetwork implements AutoCloseable {

  private static final String IP = "/usr/sbin/ip";
  private static final long COMMAND_TIMEOUT_SECONDS = 10;

  private final String id;
  private final int subnet;
  private final int testPortsFrom;
  private final Map<String, Integer> index = new LinkedHashMap<>();
  private final List<String> namespaces = new ArrayList<>();
  private final Thread cleanupAtExit = new Thread(this::deleteQuietly, "test-network-cleanup");
  private boolean closed;

  private TestNetwork(String id, int subnet) throws IOException {
    this.id = id;
    this.subnet = subnet;
    this.testPortsFrom = ephemeralPortsFrom();
  }

  /**
   * Creates the network for {@code nodeIds} (node {@code i} of the list is number {@code i + 1}),
   * or aborts the calling test (skipped, not failed) if this machine cannot create network
   * namespaces.
   */
  static TestNetwork create(List<String> nodeIds) throws Exception {
    String id = randomId();
    TestNetwork network = new TestNetwork(id, freeSubnet());
    String probe = network.switchNamespace();
    Result added = addNamespace(probe);
    Assumptions.assumeTrue(
        added.exit() == 0,
        () ->
            "cannot create a network namespace here (needs root or CAP_NET_ADMIN, and iproute2 at "
                + IP
                + "): "
                + added.output().strip()
                + "; the partition is tested with SIGSTOP in ReplicationFailoverIT instead");
    network.namespaces.add(probe);
    Runtime.getRuntime().addShutdownHook(network.cleanupAtExit);
    try {
      network.build(nodeIds);
    } catch (Exception | Error e) {
      network.close();
      throw e;
    }
    return network;
  }

  private static Result addNamespace(String name) throws InterruptedException {
    try {
      return run(List.of(IP, "netns", "add", name));
    } catch (IOException e) {
      return new Result(-1, e.toString());
    }
  }

  private void build(List<String> nodeIds) throws Exception {
    String sw = switchNamespace();
    ip("-n", sw, "link", "set", "lo", "up");
    ip("-n", sw, "link", "add", "br0", "type", "bridge");
    ip("-n", sw, "link", "set", "br0", "up");
    for (int i = 0; i < nodeIds.size(); i++) {
      int n = i + 1;
      index.put(nodeIds.get(i), n);
      String ns = namespaceOf(n);
      ip("netns", "add", ns);
      namespaces.add(ns);
      ip("-n", ns, "link", "set", "lo", "up");
      // The node's own connections take local ports below the range its servers' ports come from.
      run(
          "sysctl",
          List.of(
              IP,
              "netns",
              "exec",
              ns,
              "sysctl",
              "-q",
              "-w",
              "net.ipv4.ip_local_port_range=1024 " + (testPortsFrom - 1)));
      // The node's link to the switch.
      ip("-n", sw, "link", "add", port(n), "type", "veth", "peer", "name", "eth0", "netns", ns);
      ip("-n", sw, "link", "set", port(n), "master", "br0");
      ip("-n", sw, "link", "set", port(n), "up");
      ip("-n", ns, "addr", "add", host(n) + "/24", "dev", "eth0");
      ip("-n", ns, "link", "set", "eth0", "up");
      // The test's link to the node: point to point, only the node's own address routed over it.
      String mine = testSide(n);
      ip("link", "add", mine, "type", "veth", "peer", "name", "cli", "netns", ns);
      ip("addr", "add", testAddress(n) + "/32", "dev", mine);
      ip("link", "set", mine, "up");
      ip("-n", ns, "link", "set", "cli", "up");
      ip("route", "add", host(n) + "/32", "dev", mine, "src", testAddress(n));
      ip("-n", ns, "route", "add", testAddress(n) + "/32", "dev", "cli");
    }
  }

  /** The address node {@code nodeId} binds to. */
  String host(String nodeId) {
    return host(number(nodeId));
  }

  /** The command prefix that runs a program in {@code nodeId}'s namespace. */
  List<String> exec(String nodeId) {
    return List.of(IP, "netns", "exec", namespaceOf(number(nodeId)));
  }

  /** Cuts {@code nodeId} off from every other node (its switch port goes down). */
  void cut(String nodeId) throws Exception {
    ip("-n", switchNamespace(), "link", "set", port(number(nodeId)), "down");
  }

  /** Connects {@code nodeId} to the others again. */
  void heal(String nodeId) throws Exception {
    ip("-n", switchNamespace(), "link", "set", port(number(nodeId)), "up");
  }

  @Override
  public String toString() {
    return "network "
        + id
        + ": namespaces "
        + namespaces
        + ", nodes on 10.213."
        + subnet
        + ".0/24, the test on 10.214."
        + subnet
        + ".N/32";
  }

  /** Deletes every namespace (and so every veth) this network created. */
  @Override
  public void close() throws Exception {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupAtExit);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook runs (or ran) this anyway
    }
    List<String> failures = delete();
    if (!failures.isEmpty()) {
      throw new IllegalStateException(this + ": cleanup failed: " + failures);
    }
  }

  private void deleteQuietly() {
    try {
      delete();
    } catch (Exception e) {
      // best effort at exit
    }
  }

  /**
   * Deletes the test's veths (their other ends go with them), then the namespaces, the nodes'
   * first. Namespaces are destroyed asynchronously by the kernel, so the veths go explicitly.
   */
  private synchronized List<String> delete() throws InterruptedException {
    List<String> failures = new ArrayList<>();
    for (int n : index.values()) {
      try {
        if (run(List.of(IP, "link", "show", "dev", testSide(n))).exit() == 0) {
          Result r = run(List.of(IP, "link", "delete", testSide(n)));
          if (r.exit() != 0) {
            failures.add("link delete " + testSide(n) + ": " + r.output().strip());
          }
        }
      } catch (IOException e) {
        failures.add("link delete " + testSide(n) + ": " + e);
      }
    }
    index.clear();
    for (String ns : namespaces.reversed()) {
      try {
        Result r = run(List.of(IP, "netns", "delete", ns));
        if (r.exit() != 0) {
          failures.add("netns delete " + ns + ": " + r.output().strip());
        }
      } catch (IOException e) {
        failures.add("netns delete " + ns + ": " + e);
      }
    }
    namespaces.clear();
    return failures;
  }

  private int number(String nodeId) {
    Integer n = index.get(nodeId);
    if (n == null) {
      throw new IllegalArgumentException(nodeId + " is not in " + this);
    }
    return n;
  }

  private String switchNamespace() {
    return "op" + id + "-sw";
  }

  private String namespaceOf(int n) {
    return "op" + id + "-n" + n;
  }

  private static String port(int n) {
    return "p" + n;
  }

  private String testSide(int n) {
    return "op" + id + "c" + n; // 15 characters at most
  }

  private String host(int n) {
    return "10.213." + subnet + "." + n;
  }

  private String testAddress(int n) {
    return "10.214." + subnet + "." + n;
  }

  private static String randomId() {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    SecureRandom random = new SecureRandom();
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      id.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return id.toString();
  }

  /** A third octet S such that no address or route of this host mentions 10.213.S. or 10.214.S. */
  private static int freeSubnet() throws Exception {
    String used;
    try {
      used =
          run(List.of(IP, "-4", "addr", "show")).output()
              + run(List.of(IP, "-4", "route", "show", "table", "all")).output();
    } catch (IOException e) {
      used = ""; // no ip: create() skips the test
    }
    SecureRandom random = new SecureRandom();
    for (int attempt = 0; attempt < 100; attempt++) {
      int s = 1 + random.nextInt(254);
      if (!used.contains("10.213." + s + ".") && !used.contains("10.214." + s + ".")) {
        return s;
      }
    }
    throw new IllegalStateException("no free 10.213.S.0/24 on this host");
  }

  private void ip(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(IP));
    command.addAll(List.of(args));
    run("ip", command);
  }

  /** Runs {@code command}; throws, naming {@code what}, unless it exits with 0. */
  private static void run(String what, List<String> command) throws Exception {
    Result r = run(command);
    if (r.exit() != 0) {
      throw new IllegalStateException(
          what
              + ": "
              + String.join(" ", command)
              + " failed ("
              + r.exit()
              + "): "
              + r.output().strip());
    }
  }

  /**
   * The lowest local port of this namespace's ephemeral range, where the test's free ports ({@link
   * dev.outpost.testkit.ClusterTestNode#freePort}) come from.
   */
  private static int ephemeralPortsFrom() throws IOException {
    String range; // Files.readString reads 1 byte of this procfs file (JDK 25)
    try (var in = new java.io.FileInputStream("/proc/sys/net/ipv4/ip_local_port_range")) {
      range = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
    }
    int from = Integer.parseInt(range.split("\\s+")[0]);
    if (from <= 2048) {
      throw new IllegalStateException("ephemeral ports start at " + from + ": no room below");
    }
    return from;
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<String> output =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                return e.toString();
              }
            },
            Thread::startVirtualThread);
    if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      return new Result(-1, String.join(" ", command) + " timed out");
    }
    try {
      return new Result(p.exitValue(), output.get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS));
    } catch (ExecutionException | TimeoutException e) {
      return new Result(p.exitValue(), "(output unread: " + e + ")");
    }
  }
}
