package dev.outpost.bench.jmh;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.StorageEngines;
import dev.outpost.runtime.SystemTimeSource;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.samples.chat.ChatRoom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The turn path of a chat message with no network: {@code ObjectInbox.socketMessage} → the room's
 * turn (the samples' {@link ChatRoom}, on a virtual thread) → output gate → {@code send} on each of
 * the room's {@code sockets} connections. The connections only count, so what is measured is the
 * runtime's own cost per message and per delivery. In-memory storage: a chat turn writes nothing,
 * so its output leaves at once.
 *
 * <ul>
 *   <li>{@code broadcast}: one message, waiting for its whole fan-out (latency of one turn).
 *   <li>{@code broadcastPipelined}: {@value #BATCH} messages queued at once, then waiting for all
 *       fan-outs (throughput of one object; time per message).
 * </ul>
 *
 * The benchmark thread spin-waits for the sends, so it occupies one of the cores meanwhile.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
public class TurnPathBenchmark {

  static final int BATCH = 256;

  @Param({"1", "10", "50"})
  int sockets;

  private final AtomicLong sends = new AtomicLong();
  private SystemTimeSource time;
  private StorageEngine engine;
  private ObjectHost host;
  private CountingConnection sender;
  private final WebSocketMessage message = WebSocketMessage.text("m".repeat(100));

  @Setup
  public void start() throws Exception {
    time = new SystemTimeSource();
    engine = StorageEngines.inMemory();
    host =
        ObjectHost.builder().time(time).storage(engine).namespace("chat", ChatRoom.class).build();
    ObjectAddress room =
        new ObjectAddress("chat", host.namespace("chat").orElseThrow().idFromName("bench"));
    for (int i = 0; i < sockets; i++) {
      CountingConnection connection = new CountingConnection(sends, "bench-" + i);
      Request upgrade =
          Request.builder("GET", "/objects/chat/bench").header("Upgrade", "websocket").build();
      Response response = host.upgrade(room, upgrade, connection).get(10, TimeUnit.SECONDS);
      if (!response.isWebSocketAccept()) {
        throw new IllegalStateException("the room refused socket " + i + ": " + response);
      }
      if (i == 0) {
        sender = connection;
      }
    }
  }

  @TearDown
  public void stop() {
    host.close();
    engine.close();
    time.close();
  }

  @Benchmark
  public long broadcast() {
    long target = sends.get() + sockets;
    host.socketMessage(sender, message);
    CountingConnection.awaitSends(sends, target);
    return target;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long broadcastPipelined() {
    long target = sends.get() + (long) BATCH * sockets;
    for (int i = 0; i < BATCH; i++) {
      host.socketMessage(sender, message);
    }
    CountingConnection.awaitSends(sends, target);
    return target;
  }
}
