package dev.outpost.samples.jobs;

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

/**
 * A background job, {@code /objects/jobs/{job}}, that advances one step per alarm: nothing runs
 * between steps, the object may be evicted or its node restarted, and the stored alarm brings it
 * back for the next step.
 *
 * <p>Watchers connect with a WebSocket (plain, or an Outpost session over any transport). Each gets
 * the job's status at once, then after every change: {@code
 * {"type":"job","state":"idle|running|done|cancelled","progress":P,"steps":N,"stepMs":MS}}. They
 * (or anyone, by HTTP) control it with text commands:
 *
 * <ul>
 *   <li>{@code start [STEPS [STEP_MS]]} (or {@code POST /start?steps=N&stepMs=MS}): starts from
 *       step 0, {@value #DEFAULT_STEPS} steps of {@value #DEFAULT_STEP_MS} ms by default, 1-{@value
 *       #MAX_STEPS} steps of {@value #MIN_STEP_MS}-{@value #MAX_STEP_MS} ms; refused while running;
 *   <li>{@code cancel} (or {@code POST /cancel}): stops a running job.
 * </ul>
 *
 * A refused command is answered to its sender: {@code {"type":"rejected","reason":..}} (by HTTP:
 * 409 or 400). {@code GET} answers the status. Steps are timed from the previous step's due time,
 * or from now if that is later (after an outage the job goes on at its pace, it does not rush).
 */
public final class Job implements DurableObject {

  static final int DEFAULT_STEPS = 10;
  static final int DEFAULT_STEP_MS = 500;
  static final int MAX_STEPS = 1000;
  static final int MIN_STEP_MS = 50;
  static final int MAX_STEP_MS = 60_000;
  private static final String KEY = "job";

  /** What is stored: the job's status and when its next step is due. */
  public record Status(String state, int progress, int steps, int stepMs, long dueAtMillis) {
    static final Status IDLE = new Status("idle", 0, 0, 0, 0);

    String json() {
      return "{\"type\":\"job\",\"state\":\""
          + state
          + "\",\"progress\":"
          + progress
          + ",\"steps\":"
          + steps
          + ",\"stepMs\":"
          + stepMs
          + "}";
    }
  }

  private final DurableObjectState state;

  public Job(DurableObjectState state, Env env) {
    this.state = state;
  }

  @Override
  public Response fetch(Request request) {
    if (request.isWebSocketUpgrade()) {
      Response accepted = state.acceptWebSocket(request);
      accepted.webSocket().ifPresent(ws -> ws.send(status().json()));
      return accepted;
    }
    if (request.method().equals("GET")) {
      return Response.json(200, status().json());
    }
    if (request.method().equals("POST")) {
      String command =
          switch (request.path()) {
            case "/start" ->
                "start "
                    + param(request, "steps", Integer.toString(DEFAULT_STEPS))
                    + " "
                    + param(request, "stepMs", Integer.toString(DEFAULT_STEP_MS));
            case "/cancel" -> "cancel";
            default -> null;
          };
      if (command == null) {
        return Response.text(404, "POST /start?steps=N&stepMs=MS or POST /cancel");
      }
      String refusal = apply(command);
      return refusal == null
          ? Response.json(200, status().json())
          : Response.text(refusal.startsWith("the job is") ? 409 : 400, refusal);
    }
    return Response.builder(405).header("Allow", "GET, POST").body("GET or POST").build();
  }

  @Override
  public void webSocketMessage(HibernatableWebSocket from, WebSocketMessage message) {
    String refusal =
        message.isText() ? apply(message.text().strip()) : "commands are text: start, cancel";
    if (refusal != null) {
      from.send("{\"type\":\"rejected\",\"reason\":" + quote(refusal) + "}");
    }
  }

  @Override
  public void alarm(AlarmInfo info) {
    Status now = status();
    if (!now.state().equals("running")) {
      return;
    }
    int progress = now.progress() + 1;
    if (progress >= now.steps()) {
      save(new Status("done", now.steps(), now.steps(), now.stepMs(), 0));
      return;
    }
    long due =
        Math.max(now.dueAtMillis(), state.clock().millis())
            + now.stepMs(); // the previous due time, or now after an outage
    save(new Status("running", progress, now.steps(), now.stepMs(), due));
    state.storage().setAlarm(Instant.ofEpochMilli(due));
  }

  /** Applies a command; returns why it is refused, or null. */
  private String apply(String command) {
    String[] parts = command.split("\\s+");
    Status now = status();
    switch (parts[0]) {
      case "start" -> {
        if (now.state().equals("running")) {
          return "the job is running (" + now.progress() + "/" + now.steps() + "); cancel it first";
        }
        int steps;
        int stepMs;
        try {
          steps = parts.length > 1 ? Integer.parseInt(parts[1]) : DEFAULT_STEPS;
          stepMs = parts.length > 2 ? Integer.parseInt(parts[2]) : DEFAULT_STEP_MS;
        } catch (NumberFormatException e) {
          return "start [STEPS [STEP_MS]]: numbers, not " + command;
        }
        if (steps < 1 || steps > MAX_STEPS || stepMs < MIN_STEP_MS || stepMs > MAX_STEP_MS) {
          return "a job has 1-"
              + MAX_STEPS
              + " steps of "
              + MIN_STEP_MS
              + "-"
              + MAX_STEP_MS
              + " ms, not "
              + steps
              + " of "
              + stepMs;
        }
        long due = state.clock().millis() + stepMs;
        save(new Status("running", 0, steps, stepMs, due));
        state.storage().setAlarm(Instant.ofEpochMilli(due));
        return null;
      }
      case "cancel" -> {
        if (!now.state().equals("running")) {
          return "the job is not running (" + now.state() + ")";
        }
        state.storage().deleteAlarm();
        save(new Status("cancelled", now.progress(), now.steps(), now.stepMs(), 0));
        return null;
      }
      default -> {
        return "unknown command " + parts[0] + "; commands: start [STEPS [STEP_MS]], cancel";
      }
    }
  }

  private Status status() {
    return state.storage().get(KEY, Status.class).orElse(Status.IDLE);
  }

  private void save(Status status) {
    state.storage().put(KEY, status);
    String json = status.json();
    for (HibernatableWebSocket ws : state.getWebSockets()) {
      ws.send(json);
    }
  }

  private static String param(Request request, String name, String otherwise) {
    for (String pair : request.query().orElse("").split("&")) {
      if (pair.startsWith(name + "=")) {
        return pair.substring(name.length() + 1);
      }
    }
    return otherwise;
  }
}
