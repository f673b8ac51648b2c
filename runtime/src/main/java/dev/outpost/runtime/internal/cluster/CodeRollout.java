package dev.outpost.runtime.internal.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.map.IMap;
import dev.outpost.runtime.CodeDeployments;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Rolls a code version out to the whole cluster, in two phases: every member prepares it (stores
 * the jar, loads and checks its classes); if any member fails, nothing switches and the causes are
 * reported; otherwise the version becomes current in the cluster's code record and every member
 * activates it. Jars live in the map {@value #BUNDLES} and the record in {@value #CODE}, so a node
 * that joins later starts on the current version.
 */
public final class CodeRollout {

  static final String BUNDLES = "outpost-bundles";
  static final String CODE = "outpost-code";
  static final String EXECUTOR = "outpost-code";
  static final String USER_CONTEXT_KEY = "outpost.code-deployments";
  private static final long PHASE_TIMEOUT_SECONDS = 60;

  /** What a rollout did. */
  public record Outcome(
      boolean activated, String version, List<String> problems, long activateMillis) {}

  private final HazelcastInstance hazelcast;
  private final dev.outpost.runtime.TimeSource time;
  private final IMap<String, byte[]> bundles;
  private final IMap<String, String> code;

  public CodeRollout(HazelcastInstance hazelcast, dev.outpost.runtime.TimeSource time) {
    this.hazelcast = hazelcast;
    this.time = time;
    this.bundles = hazelcast.getMap(BUNDLES);
    this.code = hazelcast.getMap(CODE);
  }

  /** Registers this node's deployments, which the cluster's tasks act on. */
  public void attach(CodeDeployments deployments) {
    hazelcast.getUserContext().put(USER_CONTEXT_KEY, deployments);
  }

  /** The cluster's current version, if one was ever deployed. */
  public Optional<String> current() {
    return Optional.ofNullable(code.get("current"));
  }

  /** Brings this node to the cluster's current version (a node that joins later). */
  public void sync(CodeDeployments deployments) {
    Optional<String> current = current();
    if (current.isEmpty() || current.get().equals(deployments.currentVersion())) {
      return;
    }
    byte[] jar = bundles.get(current.get());
    if (jar == null) {
      throw new IllegalStateException("the cluster's code " + current.get() + " has no stored jar");
    }
    deployments.prepare(current.get(), jar);
    deployments.activate(current.get());
  }

  /** Stores, prepares everywhere, then activates everywhere. Blocks. */
  public Outcome deploy(String version, byte[] jar) {
    bundles.set(version, jar);
    return rollTo(version);
  }

  /** Rolls back to the version before the current one. Blocks. */
  public Outcome rollback() {
    String previous = code.get("previous");
    if (previous == null) {
      return new Outcome(false, "", List.of("there is no previous version to roll back to"), 0);
    }
    return rollTo(previous);
  }

  private Outcome rollTo(String version) {
    IExecutorService executor = hazelcast.getExecutorService(EXECUTOR);
    List<String> problems = run(executor.submitToAllMembers(new Prepare(version)), "prepare");
    if (!problems.isEmpty()) {
      return new Outcome(false, version, problems, 0);
    }
    String before = code.get("current");
    java.time.Instant start = time.now();
    if (before != null && !before.equals(version)) {
      code.set("previous", before);
    }
    code.set("current", version);
    problems = run(executor.submitToAllMembers(new Activate(version)), "activate");
    long millis = java.time.Duration.between(start, time.now()).toMillis();
    return new Outcome(problems.isEmpty(), version, problems, millis);
  }

  private static List<String> run(Map<Member, Future<String>> results, String phase) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<Member, Future<String>> result : results.entrySet()) {
      String node = String.valueOf(result.getKey().getAttribute("outpost.node"));
      try {
        result.getValue().get(PHASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        problems.add("node " + node + " (" + phase + "): " + e.getCause().getMessage());
      } catch (TimeoutException e) {
        problems.add(
            "node " + node + " (" + phase + "): no answer in " + PHASE_TIMEOUT_SECONDS + " s");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        problems.add("node " + node + " (" + phase + "): interrupted");
      }
    }
    return problems;
  }

  private abstract static class Task
      implements Callable<String>, Serializable, HazelcastInstanceAware {
    private static final long serialVersionUID = 1L;
    final String version;
    transient HazelcastInstance instance;

    Task(String version) {
      this.version = version;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
      this.instance = hazelcastInstance;
    }

    CodeDeployments deployments() {
      Object node = instance.getUserContext().get(USER_CONTEXT_KEY);
      if (!(node instanceof CodeDeployments deployments)) {
        throw new IllegalStateException("this node does not take code deployments yet");
      }
      return deployments;
    }
  }

  private static final class Prepare extends Task {
    private static final long serialVersionUID = 1L;

    Prepare(String version) {
      super(version);
    }

    @Override
    public String call() {
      byte[] jar = instance.<String, byte[]>getMap(BUNDLES).get(version);
      if (jar == null) {
        throw new IllegalStateException("no jar stored for version " + version);
      }
      deployments().prepare(version, jar);
      return "prepared";
    }
  }

  private static final class Activate extends Task {
    private static final long serialVersionUID = 1L;

    Activate(String version) {
      super(version);
    }

    @Override
    public String call() {
      deployments().activate(version);
      return "activated";
    }
  }
}
