package dev.outpost.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.node.OutpostNode;
import dev.outpost.router.ListenerOptions;
import dev.outpost.testkit.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections that never become requests cannot exhaust a node: idle and slow ones are closed after
 * the request-head timeout, one address cannot hold more than its cap (another address is served
 * meanwhile), and heads over Netty's limits get 414 or 431 naming the limit. Raw sockets, so the
 * test sees exactly what a client sees; every client address is on loopback (127.0.0.2 is a second
 * address).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectionLimitsIT {

  private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(1);
  private static final int CAP = 30;

  @TempDir Path dataDir;

  private OutpostNode node;
  private final List<Socket> sockets = new ArrayList<>();

  private void start(Duration headTimeout) {
    node =
        OutpostNode.builder()
            .dataDir(dataDir)
            .bundle(TestNode.samplesBundle())
            .listener(
                ListenerOptions.defaults()
                    .withRequestHeadTimeout(headTimeout)
                    .withMaxConnectionsPerAddress(CAP))
            .start();
  }

  @AfterEach
  void stop() {
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing what the node may have closed already
      }
    }
    if (node != null) {
      node.close();
    }
  }

  private Socket open(String fromAddress) throws IOException {
    Socket socket = new Socket();
    sockets.add(socket);
    socket.bind(new InetSocketAddress(fromAddress, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", node.port()), 10_000);
    return socket;
  }

  /** Whether the node closed {@code socket} within {@code within}: a read sees end of stream. */
  private static boolean closedByNode(Socket socket, Duration within) throws IOException {
    socket.setSoTimeout((int) within.toMillis());
    try {
      InputStream in = socket.getInputStream();
      while (true) {
        if (in.read() == -1) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by the node
    }
  }

  private static String exchange(Socket socket, String request) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    socket.setSoTimeout(10_000);
    byte[] answer = socket.getInputStream().readNBytes(4096); // until the node closes, or 4 KiB
    return new String(answer, StandardCharsets.UTF_8);
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  }

  @Test
  void connectionsThatSendNothingOrTrickleTheirHeadAreClosedAfterTheTimeout() throws Exception {
    start(HEAD_TIMEOUT);
    List<Socket> idle = new ArrayList<>();
    for (int i = 0; i < CAP - 2; i++) {
      idle.add(open("127.0.0.1"));
    }
    Socket slow = open("127.0.0.1");
    OutputStream out = slow.getOutputStream();
    out.write("GET /_outpost/health HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    Socket keptAlive = open("127.0.0.1");
    keptAlive
        .getOutputStream()
        .write(
            "GET /_outpost/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
    // The slow client keeps sending header lines, never the blank line that ends its head.
    for (int i = 0; i < 4; i++) {
      out.write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      Thread.sleep(150);
    }
    for (Socket socket : idle) {
      assertThat(closedByNode(socket, Duration.ofSeconds(10)))
          .as("an idle connection is closed within 10 s (timeout %s)", HEAD_TIMEOUT)
          .isTrue();
    }
    assertThat(closedByNode(slow, Duration.ofSeconds(10)))
        .as("a connection trickling its head is closed")
        .isTrue();
    // The kept-alive one got its answer, then was closed for idling after it.
    assertThat(closedByNode(keptAlive, Duration.ofSeconds(10)))
        .as("a kept-alive connection idle after its response is closed")
        .isTrue();
  }

  @Test
  void aConnectionWithinTheTimeoutIsServedAndAWebSocketOutlivesIt() throws Exception {
    start(HEAD_TIMEOUT);
    Socket socket = open("127.0.0.1");
    assertThat(exchange(socket, get("/_outpost/health"))).startsWith("HTTP/1.1 200");

    Socket ws = open("127.0.0.1");
    ws.getOutputStream()
        .write(
            ("GET /objects/chat/limits HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    ws.setSoTimeout(10_000);
    String handshake = readHead(ws.getInputStream());
    assertThat(handshake).startsWith("HTTP/1.1 101");
    assertThat(closedByNode(ws, HEAD_TIMEOUT.multipliedBy(3)))
        .as("an upgraded connection is past its head: the head timeout never closes it")
        .isFalse();
  }

  @Test
  void closedWebSocketsNoLongerCountTowardTheCap() throws Exception {
    start(HEAD_TIMEOUT);
    for (int i = 0; i < CAP + 10; i++) {
      try (Socket ws = open("127.0.0.1")) {
        sockets.remove(ws);
        upgrade(ws, "/objects/chat/cap-" + i);
        // A close frame (masked, code 1000); the node answers with its own and closes.
        ws.getOutputStream()
            .write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xE8});
        assertThat(closedByNode(ws, Duration.ofSeconds(10))).as("WebSocket %d closed", i).isTrue();
      }
    }
    String answer = "";
    for (int attempt = 0; attempt < 50 && !answer.startsWith("HTTP/1.1 200"); attempt++) {
      answer = exchange(open("127.0.0.1"), get("/_outpost/health"));
      if (!answer.startsWith("HTTP/1.1 200")) {
        Thread.sleep(100); // the node sees the last closes asynchronously
      }
    }
    assertThat(answer)
        .as("a request after %d WebSockets came and went (cap %d)", CAP + 10, CAP)
        .startsWith("HTTP/1.1 200");
  }

  private static void upgrade(Socket ws, String path) throws IOException {
    ws.getOutputStream()
        .write(
            ("GET "
                    + path
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    ws.setSoTimeout(10_000);
    assertThat(readHead(ws.getInputStream())).startsWith("HTTP/1.1 101");
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b == -1) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  @Test
  void oneAddressCannotHoldMoreThanItsCapWhileAnotherIsServed() throws Exception {
    start(Duration.ofMinutes(2)); // held connections must outlast the checks
    List<Socket> all = new ArrayList<>();
    for (int i = 0; i < CAP + 10; i++) {
      all.add(open("127.0.0.1"));
    }
    // Accepted connections are counted on their event loops, not necessarily in connect order:
    // which ones are refused may vary, how many may not.
    List<Socket> held = new ArrayList<>();
    int closed = 0;
    for (Socket socket : all) {
      if (closedByNode(socket, Duration.ofMillis(300))) {
        closed++;
      } else {
        held.add(socket);
      }
    }
    assertThat(closed).as("connections over the cap of %d closed at once", CAP).isEqualTo(10);
    assertThat(held).hasSize(CAP);

    // Another address is not affected.
    assertThat(exchange(open("127.0.0.2"), get("/_outpost/health"))).startsWith("HTTP/1.1 200");

    // Once the address's connections go, it is served again.
    for (Socket socket : held) {
      socket.close();
    }
    String answer = "";
    for (int attempt = 0; attempt < 50 && !answer.startsWith("HTTP/1.1 200"); attempt++) {
      answer = exchange(open("127.0.0.1"), get("/_outpost/health"));
      if (!answer.startsWith("HTTP/1.1 200")) {
        Thread.sleep(100); // the node sees the closes asynchronously
      }
    }
    assertThat(answer).as("a request after the held connections closed").startsWith("HTTP/1.1 200");
  }

  @Test
  void aTooLongUrlOrHeadIsRefusedWithABodyNamingTheLimit() throws Exception {
    start(HEAD_TIMEOUT);
    String longUrl = get("/objects/counter/" + "a".repeat(5000));
    String uriAnswer = exchange(open("127.0.0.1"), longUrl);
    // HTTP/1.0: the node could not read the request's version, so it answers in the oldest.
    assertThat(uriAnswer).startsWith("HTTP/1.0 414").contains("limit of 4096 bytes");

    String bigHeader =
        "GET /_outpost/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
            + "b".repeat(9000)
            + "\r\nConnection: close\r\n\r\n";
    String headAnswer = exchange(open("127.0.0.1"), bigHeader);
    assertThat(headAnswer)
        .startsWith("HTTP/1.1 431")
        .contains("request headers are over the limit of 8192 bytes");
  }
}
