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
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Rolls code out to the whole cluster, one app at a time; the other apps keep serving. In two
 * phases: every member prepares the app's version (stores the jar, loads and checks its classes,
 * checks that no other app has its namespaces); if any member fails, nothing switches and the
 * causes are reported; otherwise the version becomes the app's current one in the cluster's code
 * record and every member activates it. Removing an app ({@link #undeploy}) runs on every member.
 *
 * <p><b>State</b>, in Hazelcast: jars in the map {@value #BUNDLES} under {@code APP/VERSION}; the
 * code record {@value #CODE}: {@code current:APP} and {@code previous:APP} (version labels) and
 * {@code last} (the app deployed last, which a rollback without an app name means). A node's boot
 * bundles are recorded as their apps' first versions when the cluster has none ({@link #attach}),
 * so the version a cluster booted with can be rolled back to; a node that joins later is brought to
 * every app's current version.
 *
 * <p><b>Concurrency.</b> Two rollouts of one app at once are not serialised: the last activation
 * wins on each node. Each node's switch itself is atomic and checks namespace conflicts again.
 */
public final class CodeRollout {

  static final String BUNDLES = "outpost-bundles";
  static final String CODE = "outpost-code";
  static final String EXECUTOR = "outpost-code";
  static final String USER_CONTEXT_KEY = "outpost.code-deployments";
  private static final long PHASE_TIMEOUT_SECONDS = 60;
  private static final String CURRENT = "current:";
  private static final String PREVIOUS = "previous:";
  private static final String LAST = "last";

  /** What a rollout did; {@code app} is empty when no app was named or deployed. */
  public record Outcome(
      boolean activated, String app, String version, List<String> problems, long activateMillis) {}

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

  /**
   * Registers this node's deployments, which the cluster's tasks act on; records each boot app the
   * cluster has no version of as its first version (jar stored); then brings this node to every
   * app's current version (a node that joins after deploys). Blocks.
   */
  public void attach(CodeDeployments deployments) {
    hazelcast.getUserContext().put(USER_CONTEXT_KEY, deployments);
    deployments
        .bootJars()
        .forEach(
            (app, jar) ->
                deployments
                    .currentVersion(app)
                    .ifPresent(
                        version -> {
                          bundles.putIfAbsent(key(app, version), jar);
                          code.putIfAbsent(CURRENT + app, version);
                        }));
    apps()
        .forEach(
            (app, version) -> {
              if (deployments.currentVersion(app).filter(version::equals).isPresent()) {
                return;
              }
              byte[] jar = bundles.get(key(app, version));
              if (jar == null) {
                throw new IllegalStateException(
                    "the cluster's app " + app + " " + version + " has no stored jar");
              }
              deployments.prepare(app, version, jar);
              deployments.activate(app, version);
            });
  }

  /** Every app the cluster runs and its current version, sorted by app. */
  public SortedMap<String, String> apps() {
    SortedMap<String, String> apps = new TreeMap<>();
    code.forEach(
        (k, v) -> {
          if (k.startsWith(CURRENT)) {
            apps.put(k.substring(CURRENT.length()), v);
          }
        });
    return apps;
  }

  private static String key(String app, String version) {
    return app + "/" + version;
  }

  /** Stores the jar of {@code app} at {@code version}, prepares everywhere, activates. Blocks. */
  public Outcome deploy(String app, String version, byte[] jar) {
    bundles.set(key(app, version), jar);
    Outcome outcome = rollTo(app, version);
    if (outcome.activated()) {
      code.set(LAST, app);
    }
    return outcome;
  }

  /**
   * Rolls {@code app} (empty: the app deployed last) back to its version before the current one;
   * the version the cluster booted with counts. Rolling back twice returns to where it started.
   * Blocks.
   */
  public Outcome rollback(Optional<String> app) {
    String name = app.orElseGet(() -> code.get(LAST));
    if (name == null) {
      return refused(
          "",
          "nothing was deployed since the cluster started; name the app to roll back"
              + " (outpost rollback --app NAME); the apps are "
              + apps());
    }
    String current = code.get(CURRENT + name);
    if (current == null) {
      return refused(name, "no app " + name + " runs here; the apps are " + apps());
    }
    String previous = code.get(PREVIOUS + name);
    if (previous == null) {
      return refused(
          name,
          "app "
              + name
              + " has no version before "
              + current
              + " to roll back to (it arrived with this version); to stop serving it, outpost"
              + " undeploy "
              + name);
    }
    return rollTo(name, previous);
  }

  /**
   * Stops serving {@code app} on every node and forgets its versions; its stored objects' data
   * stays. Blocks.
   */
  public Outcome undeploy(String app) {
    String current = code.get(CURRENT + app);
    if (current == null) {
      return refused(app, "no app " + app + " runs here; the apps are " + apps());
    }
    IExecutorService executor = hazelcast.getExecutorService(EXECUTOR);
    java.time.Instant start = time.now();
    code.remove(CURRENT + app);
    code.remove(PREVIOUS + app);
    code.remove(LAST, app);
    List<String> problems = run(executor.submitToAllMembers(new Remove(app)), "undeploy");
    long millis = java.time.Duration.between(start, time.now()).toMillis();
    return new Outcome(problems.isEmpty(), app, current, problems, millis);
  }

  private static Outcome refused(String app, String problem) {
    return new Outcome(false, app, "", List.of(problem), 0);
  }

  private Outcome rollTo(String app, String version) {
    IExecutorService executor = hazelcast.getExecutorService(EXECUTOR);
    List<String> problems =
        dedupe(run(executor.submitToAllMembers(new Prepare(app, version)), "prepare"));
    if (!problems.isEmpty()) {
      return new Outcome(false, app, version, problems, 0);
    }
    String before = code.get(CURRENT + app);
    java.time.Instant start = time.now();
    if (before != null && !before.equals(version)) {
      code.set(PREVIOUS + app, before);
    }
    code.set(CURRENT + app, version);
    problems = run(executor.submitToAllMembers(new Activate(app, version)), "activate");
    long millis = java.time.Duration.between(start, time.now()).toMillis();
    return new Outcome(problems.isEmpty(), app, version, problems, millis);
  }

  /**
   * The problems, with those every node reports alike (a namespace conflict, a class that does not
   * load) said once: {@code nodes n1, n2 (prepare): ...}.
   */
  private static List<String> dedupe(List<String> problems) {
    Map<String, List<String>> nodesByProblem = new java.util.LinkedHashMap<>();
    for (String p : problems) {
      int colon = p.indexOf("): ");
      String node = p.substring("node ".length(), p.indexOf(" ("));
      nodesByProblem.computeIfAbsent(p.substring(colon + 3), k -> new ArrayList<>()).add(node);
    }
    List<String> merged = new ArrayList<>();
    nodesByProblem.forEach(
        (problem, nodes) ->
            merged.add(
                (nodes.size() == 1 ? "node " : "nodes ")
                    + String.join(", ", nodes.stream().sorted().toList())
                    + " (prepare): "
                    + problem));
    return merged;
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
    private static final long serialVersionUID = 2L;
    final String app;
    final String version;
    transient HazelcastInstance instance;

    Task(String app, String version) {
      this.app = app;
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
    private static final long serialVersionUID = 2L;

    Prepare(String app, String version) {
      super(app, version);
    }

    @Override
    public String call() {
      byte[] jar = instance.<String, byte[]>getMap(BUNDLES).get(key(app, version));
      if (jar == null) {
        throw new IllegalStateException("no jar stored for app " + app + " version " + version);
      }
      deployments().prepare(app, version, jar);
      return "prepared";
    }
  }

  private static final class Activate extends Task {
    private static final long serialVersionUID = 2L;

    Activate(String app, String version) {
      super(app, version);
    }

    @Override
    public String call() {
      deployments().activate(app, version);
      return "activated";
    }
  }

  private static final class Remove extends Task {
    private static final long serialVersionUID = 2L;

    Remove(String app) {
      super(app, "");
    }

    @Override
    public String call() {
      deployments().remove(app);
      return "removed";
    }
  }
}
