package dev.outpost.samples.stream;

import static dev.outpost.api.realtime.Json.quote;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A conversation with a simulated model, {@code /objects/stream/{conversation}}: a question gets an
 * answer streamed one token per alarm ({@value #DEFAULT_TOKEN_MS} ms apart, or the {@code
 * stream.token-ms} setting) to every client, over any transport: the page reads it as Server-Sent
 * Events, where {@code Last-Event-ID} resumes a stream exactly where it stopped.
 *
 * <p>Clients send {@code ask QUESTION} (or {@code POST /ask} with the question as the body); it is
 * refused while an answer is streaming, or when blank or longer than {@value #MAX_QUESTION}
 * characters: {@code {"type":"rejected","reason":..}} to the sender (by HTTP: 409 or 400). Every
 * client receives, as JSON text:
 *
 * <ul>
 *   <li>on connecting, {@code {"type":"snapshot","answer":N,"question":..,"text":..,"done":B}}: the
 *       latest answer so far (a client that resumes its session gets no snapshot, only what it
 *       missed);
 *   <li>{@code {"type":"question","answer":N,"question":..}} when an answer starts;
 *   <li>{@code {"type":"token","answer":N,"index":I,"text":..}} for each token;
 *   <li>{@code {"type":"done","answer":N}} at the end.
 * </ul>
 *
 * {@code GET} answers the snapshot. The answer and how far it went are stored with the alarm, so a
 * stream survives evictions and node restarts.
 */
public final class AnswerStream implements DurableObject {

  static final int DEFAULT_TOKEN_MS = 100;
  static final int MAX_QUESTION = 500;
  private static final String KEY = "answer";

  /** What is stored: the latest answer, its tokens and how many were sent. */
  public record Answer(int number, String question, String[] tokens, int sent, long dueAtMillis) {
    static final Answer NONE = new Answer(0, "", new String[0], 0, 0);

    boolean done() {
      return sent >= tokens.length;
    }
  }

  private final DurableObjectState state;
  private final long tokenMs;

  public AnswerStream(DurableObjectState state, Env env) {
    this.state = state;
    this.tokenMs =
        env.setting("stream.token-ms").map(Long::parseLong).orElse((long) DEFAULT_TOKEN_MS);
  }

  /** The simulated model: a fixed answer that quotes the question, split into word tokens. */
  static String[] model(String question) {
    String text =
        "You asked: \""
            + question
            + "\". Here is a simulated answer, streamed one token at a time by a durable object."
            + " Each token is stored before it is sent, so the stream survives the object's"
            + " eviction and its node's restart, and a client that reloads resumes with"
            + " Last-Event-ID exactly where it stopped, with no token lost or repeated.";
    List<String> tokens = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i - 1) == ' ') {
        tokens.add(text.substring(start, i));
        start = i;
      }
    }
    return tokens.toArray(String[]::new);
  }

  @Override
  public Response fetch(Request request) {
    if (request.isWebSocketUpgrade()) {
      Response accepted = state.acceptWebSocket(request);
      accepted.webSocket().ifPresent(ws -> ws.send(snapshot(answer())));
      return accepted;
    }
    if (request.method().equals("GET")) {
      return Response.json(200, snapshot(answer()));
    }
    if (request.method().equals("POST") && request.path().equals("/ask")) {
      String refusal = ask(request.bodyText());
      return refusal == null
          ? Response.json(200, snapshot(answer()))
          : Response.text(refusal.startsWith("an answer is") ? 409 : 400, refusal);
    }
    return Response.text(404, "GET, POST /ask with the question, or connect");
  }

  @Override
  public void webSocketMessage(HibernatableWebSocket from, WebSocketMessage message) {
    String text = message.isText() ? message.text() : "";
    String refusal =
        text.startsWith("ask ")
            ? ask(text.substring(4))
            : "unknown command; the only command is: ask QUESTION";
    if (refusal != null) {
      from.send("{\"type\":\"rejected\",\"reason\":" + quote(refusal) + "}");
    }
  }

  @Override
  public void alarm(AlarmInfo info) {
    Answer now = answer();
    if (now.done()) {
      return;
    }
    int index = now.sent();
    long due = Math.max(now.dueAtMillis(), state.clock().millis()) + tokenMs;
    Answer next = new Answer(now.number(), now.question(), now.tokens(), index + 1, due);
    state.storage().put(KEY, next);
    broadcast(
        "{\"type\":\"token\",\"answer\":"
            + now.number()
            + ",\"index\":"
            + index
            + ",\"text\":"
            + quote(now.tokens()[index])
            + "}");
    if (next.done()) {
      broadcast("{\"type\":\"done\",\"answer\":" + now.number() + "}");
    } else {
      state.storage().setAlarm(Instant.ofEpochMilli(due));
    }
  }

  private String ask(String question) {
    Answer now = answer();
    if (!now.done()) {
      return "an answer is streaming (" + now.sent() + "/" + now.tokens().length + " tokens)";
    }
    String clean = question.strip();
    if (clean.isEmpty() || clean.length() > MAX_QUESTION) {
      return "a question has 1-" + MAX_QUESTION + " characters";
    }
    long due = state.clock().millis() + tokenMs;
    Answer next = new Answer(now.number() + 1, clean, model(clean), 0, due);
    state.storage().put(KEY, next);
    state.storage().setAlarm(Instant.ofEpochMilli(due));
    broadcast(
        "{\"type\":\"question\",\"answer\":"
            + next.number()
            + ",\"question\":"
            + quote(clean)
            + "}");
    return null;
  }

  private Answer answer() {
    return state.storage().get(KEY, Answer.class).orElse(Answer.NONE);
  }

  private void broadcast(String json) {
    for (HibernatableWebSocket ws : state.getWebSockets()) {
      ws.send(json);
    }
  }

  private static String snapshot(Answer answer) {
    return "{\"type\":\"snapshot\",\"answer\":"
        + answer.number()
        + ",\"question\":"
        + quote(answer.question())
        + ",\"text\":"
        + quote(String.join("", Arrays.copyOf(answer.tokens(), answer.sent())))
        + ",\"done\":"
        + answer.done()
        + "}";
  }
}
