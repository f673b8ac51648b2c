package dev.outpost.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.node.OutpostNode;
import dev.outpost.runtime.StorageEngines;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What a client can send a real node over a raw socket, fuzzed: request lines (method, path, query
 * string), headers, and WebSocket frames after an upgrade (plain, or the {@code outpost.v1}
 * envelopes of the real-time layer). The properties: every request gets an answer with a status
 * below 500 (a refusal is a 4xx saying why; an echo object never fails), every connection ends
 * within 10 s once the client is done (no hang), and the node still answers its health check after
 * each input. Seeds are in {@code HttpFuzzTestInputs/}; {@code -Pfuzz} fuzzes one method per run.
 */
class HttpFuzzTest {

  private static final int TIMEOUT_MS = 10_000;
  private static OutpostNode node;
  // SEVERE records logged while an input runs: a stack trace per bad request is a finding too.
  private static final java.util.Queue<java.util.logging.LogRecord> severe =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private static final java.util.logging.Handler SEVERE_RECORDS =
      new java.util.logging.Handler() {
        @Override
        public void publish(java.util.logging.LogRecord record) {
          if (record.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
            severe.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  /** Answers every request with its method and path, and echoes every socket message. */
  public static final class Echo implements DurableObject {
    private final DurableObjectState state;

    public Echo(DurableObjectState state, Env env) {
      this.state = state;
    }

    @Override
    public Response fetch(Request request) {
      if (request.isWebSocketUpgrade()) {
        return state.acceptWebSocket(request);
      }
      return Response.ok(request.method() + " " + request.path());
    }

    @Override
    public void webSocketMessage(HibernatableWebSocket ws, WebSocketMessage message) {
      ws.send(message);
    }
  }

  @BeforeAll
  static void start() {
    node =
        OutpostNode.builder()
            .storage(StorageEngines.inMemory())
            .namespace("echo", Echo.class)
            .routerOptions(RouterOptions.defaults().withMaxMessageSize(4096))
            .start();
    java.util.logging.Logger.getLogger("").addHandler(SEVERE_RECORDS);
  }

  @AfterAll
  static void stop() {
    java.util.logging.Logger.getLogger("").removeHandler(SEVERE_RECORDS);
    node.close();
  }

  private static void assertNothingSevereLogged(String input) {
    java.util.logging.LogRecord record = severe.poll();
    severe.clear();
    if (record != null) {
      throw new AssertionError(
          input + ": the node logged SEVERE: " + record.getMessage(), record.getThrown());
    }
  }

  /**
   * Lets this input connect to the node: Jazzer's SSRF detector flags every outgoing connection
   * (its agent is installed with the first input, so this cannot be done once before all).
   */
  private static SilentCloseable connectionsToTheNode() {
    int port = node.port();
    return BugDetectors.allowNetworkConnections(
        (host, to) -> to == port && (host.equals("127.0.0.1") || host.equals("localhost")));
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", node.port()), TIMEOUT_MS);
    socket.setSoTimeout(TIMEOUT_MS);
    return socket;
  }

  /** Everything the node sends until it closes; fails the input if that takes over 10 s. */
  private static String readToEnd(Socket socket, String phase) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] chunk = new byte[8192];
    try {
      for (int n; (n = in.read(chunk)) != -1; ) {
        all.write(chunk, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError(
          phase + ": the node neither answered nor closed within 10 s; got so far: " + all, e);
    } catch (IOException reset) {
      // reset by the node after its answer: what was read is the answer
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  private static void assertHealthy() throws IOException {
    try (Socket socket = connect()) {
      socket
          .getOutputStream()
          .write(
              "GET /_outpost/health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(readToEnd(socket, "health")).startsWith("HTTP/1.1 200");
    }
  }

  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD"};

  @FuzzTest(maxDuration = "10m")
  void anyRequestIsAnsweredBelow500(FuzzedDataProvider data) throws IOException {
    try (SilentCloseable allowed = connectionsToTheNode()) {
      requestIsAnsweredBelow500(data);
    }
  }

  private static void requestIsAnsweredBelow500(FuzzedDataProvider data) throws IOException {
    String method = data.pickValue(METHODS);
    String path = data.consumeString(300);
    String headerName = data.consumeString(40);
    String headerValue = data.consumeString(200);
    byte[] body = data.consumeRemainingAsBytes();
    String head =
        method
            + " /objects/echo/"
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + headerName
            + ": "
            + headerValue
            + "\r\nContent-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    String answer;
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.UTF_8));
      out.write(body);
      out.flush();
      answer = readToEnd(socket, "request " + head.lines().findFirst().orElse(""));
    }
    // HTTP/1.0 when the node could not read the request's version.
    assertThat(answer).as("the answer to %s", head).matches("(?s)HTTP/1\\.[01] [1-4]\\d\\d .*");
    assertNothingSevereLogged(head);
    assertHealthy();
  }

  @FuzzTest(maxDuration = "10m")
  void anyWebSocketFramesEndCleanly(FuzzedDataProvider data) throws IOException {
    try (SilentCloseable allowed = connectionsToTheNode()) {
      webSocketFramesEndCleanly(data);
    }
  }

  private static void webSocketFramesEndCleanly(FuzzedDataProvider data) throws IOException {
    boolean outpostV1 = data.consumeBoolean();
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /objects/echo/frames HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  + "Sec-WebSocket-Version: 13\r\n"
                  + (outpostV1 ? "Sec-WebSocket-Protocol: outpost.v1\r\n" : "")
                  + "\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      socket.setSoTimeout(TIMEOUT_MS);
      String handshake = readHead(socket.getInputStream());
      assertThat(handshake).startsWith("HTTP/1.1 101");
      // Read after the handshake, as a client does: frames sent with the upgrade request could
      // reach a node that closes on the first bad one, and a close with unread data is a reset,
      // which would discard the node's answer.
      StringBuilder sent = new StringBuilder(outpostV1 ? "outpost.v1:" : "plain:");
      int frames = data.consumeInt(1, 4);
      List<byte[]> toSend = new ArrayList<>();
      for (int i = 0; i < frames; i++) {
        int opcode = data.consumeInt(0, 15);
        boolean fin = data.consumeBoolean();
        byte[] payload = data.consumeBytes(data.consumeInt(0, 5000));
        sent.append(" [op ").append(opcode).append(fin ? " fin " : " ").append(payload.length);
        sent.append(" bytes]");
        toSend.add(frame(fin, opcode, payload));
      }
      toSend.add(frame(true, 8, new byte[] {0x03, (byte) 0xE8})); // close 1000
      try {
        for (byte[] frame : toSend) {
          out.write(frame);
        }
        out.flush();
      } catch (IOException closedByNode) {
        // The node closed on a bad frame while later ones were on their way: what it sent before
        // closing is still to be read.
      }
      readToEnd(socket, "frames " + sent);
      assertNothingSevereLogged("frames " + sent);
    }
    assertHealthy();
  }

  @org.junit.jupiter.api.Test
  void aMalformedPercentEscapeIsRefusedSayingWhereWithoutAStackTrace() throws IOException {
    // Found by fuzzing: Vert.x Web's route matching threw on it and logged "Unhandled exception
    // in router" with the stack trace, for every such request.
    severe.clear();
    try (Socket socket = connect()) {
      socket
          .getOutputStream()
          .write(
              "GET /objects/echo/a%z@b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(readToEnd(socket, "malformed escape"))
          .startsWith("HTTP/1.1 400")
          .contains("malformed percent-escape at position 15");
    }
    assertNothingSevereLogged("a malformed escape");
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

  /** A client frame (RFC 6455 §5.2), masked with a zero key so the payload goes as given. */
  private static byte[] frame(boolean fin, int opcode, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      out.write(0x80 | payload.length);
    } else {
      out.write(0x80 | 126);
      out.write(payload.length >>> 8);
      out.write(payload.length & 0xFF);
    }
    out.writeBytes(new byte[4]);
    out.writeBytes(payload);
    return out.toByteArray();
  }
}
