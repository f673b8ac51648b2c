package dev.outpost.bench.workload;

import dev.outpost.bench.server.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * An optional JFR CPU profile of a server over a run's measurement window ({@code --jfr-dir}).
 *
 * @param file where the recording goes, or null for none
 */
record WindowRecording(Path file) {

  /** No recording. */
  static final WindowRecording NONE = new WindowRecording(null);

  /**
   * The same recording for one of several servers: {@code name} goes before the file's extension
   * ({@code run.jfr} becomes {@code run-NAME.jfr}); an empty name or no file changes nothing.
   */
  WindowRecording suffixed(String name) {
    if (file == null || name.isEmpty()) {
      return this;
    }
    String base = file.getFileName().toString();
    int dot = base.lastIndexOf('.');
    String named =
        dot < 0 ? base + "-" + name : base.substring(0, dot) + "-" + name + base.substring(dot);
    return new WindowRecording(file.resolveSibling(named));
  }

  /** Starts recording in {@code server}, if there is a file. */
  void start(ServerProcess server) {
    if (file != null) {
      try {
        server.startRecording();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start JFR in " + server.target(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting JFR", e);
      }
    }
  }

  /** Stops recording and writes the file, if there is one; prints where. */
  void stop(ServerProcess server) {
    if (file != null) {
      try {
        server.stopRecording(file);
        System.out.println("JFR profile of " + server.target() + " written to " + file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot stop JFR in " + server.target(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while stopping JFR", e);
      }
    }
  }
}
