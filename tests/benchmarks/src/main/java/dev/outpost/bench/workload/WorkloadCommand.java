package dev.outpost.bench.workload;

import dev.outpost.bench.load.EventLoops;
import dev.outpost.bench.load.MachineCpu;
import dev.outpost.bench.load.ResultFile;
import dev.outpost.bench.load.RunResult;
import dev.outpost.bench.server.ChildProcesses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every workload command does around its runs: a scratch directory and child processes that
 * are always stopped, a result line per run as it finishes, a summary, and the JSON file.
 */
public abstract class WorkloadCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  private static final double QUIET_CORES = 0.15;

  private final List<RunResult> results = new ArrayList<>();

  /** The workload's name, as on the command line. */
  protected abstract String workload();

  /** Runs the workload, calling {@link #report} after each run. */
  protected abstract void run(ChildProcesses children) throws Exception;

  /** Summary lines and figures over all runs (ratios, goals); empty by default. */
  protected JsonObject summarize(List<RunResult> runs, PrintWriter out) {
    return new JsonObject();
  }

  /**
   * With {@code --quiet-wait-s}, waits for the machine to be idle before a run; prints what it saw
   * if it stayed busy.
   */
  protected final void awaitQuiet() {
    if (common.quietWaitS <= 0) {
      return;
    }
    Vertx vertx = EventLoops.create(1);
    try {
      double busy =
          MachineCpu.awaitQuiet(
              vertx,
              QUIET_CORES,
              Duration.ofSeconds(2),
              Duration.ofMillis((long) (common.quietWaitS * 1000)));
      if (busy > QUIET_CORES) {
        out()
            .printf(
                Locale.ROOT,
                "note: the machine is busy (%.2f cores used by other processes); figures will be"
                    + " disturbed%n",
                busy);
      }
    } finally {
      EventLoops.close(vertx);
    }
  }

  /** Records one run and prints its line. */
  protected final void report(RunResult result) {
    results.add(result);
    out().println(result.toLine());
    out().flush();
  }

  /** Every run reported so far. */
  public final List<RunResult> results() {
    return List.copyOf(results);
  }

  protected final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  @Override
  public final Integer call() throws Exception {
    try (ChildProcesses children = ChildProcesses.create()) {
      run(children);
    }
    JsonObject summary = summarize(results, out());
    Path file =
        ResultFile.write(
            common.resultsDir(),
            workload(),
            spec.root().commandLine().getParseResult().originalArgs(),
            results,
            summary);
    out().println("results written to " + file);
    out().flush();
    return 0;
  }
}
