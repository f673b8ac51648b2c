package dev.outpost.realtime;

import dev.outpost.api.WebSocketMessage;
import dev.outpost.client.ClientListener;
import dev.outpost.client.ClientState;
import dev.outpost.client.ClientTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A {@link ClientListener} that records everything, so a test can arm a wait and then await a
 * condition instead of sleeping. Text messages and their offsets are kept in arrival order.
 */
final class Recorder implements ClientListener {

  /** One connection's welcome as the listener saw it. */
  record Open(String epoch, boolean resumed, boolean notRecovered) {}

  private final String name;
  private final List<String> texts = new ArrayList<>();
  private final List<Long> offsets = new ArrayList<>();
  private final List<Open> opens = new ArrayList<>();
  private final List<ClientState> states = new ArrayList<>();
  private final List<String> downs = new ArrayList<>();
  private Integer closeCode;

  Recorder(String name) {
    this.name = name;
  }

  @Override
  public synchronized void onState(ClientState state) {
    states.add(state);
    notifyAll();
  }

  @Override
  public synchronized void onOpen(String epoch, boolean resumed, boolean notRecovered) {
    opens.add(new Open(epoch, resumed, notRecovered));
    notifyAll();
  }

  @Override
  public synchronized void onMessage(WebSocketMessage message, long offset) {
    if (message.isText()) {
      texts.add(message.text());
      offsets.add(offset);
    }
    notifyAll();
  }

  @Override
  public synchronized void onClose(int code, String reason) {
    closeCode = code;
    notifyAll();
  }

  @Override
  public synchronized void onTransportDown(ClientTransport transport, int code, String reason) {
    downs.add(transport + " " + code + " " + reason);
    notifyAll();
  }

  synchronized List<String> texts() {
    return List.copyOf(texts);
  }

  synchronized List<Long> offsets() {
    return List.copyOf(offsets);
  }

  synchronized List<Open> opens() {
    return List.copyOf(opens);
  }

  synchronized List<ClientState> states() {
    return List.copyOf(states);
  }

  synchronized List<String> downs() {
    return List.copyOf(downs);
  }

  synchronized Integer closeCode() {
    return closeCode;
  }

  /** Texts that are not presence events. */
  synchronized List<String> chat() {
    return texts.stream().filter(t -> !t.startsWith("{\"type\":\"presence\"")).toList();
  }

  /** Presence events. */
  synchronized List<String> presence() {
    return texts.stream().filter(t -> t.startsWith("{\"type\":\"presence\"")).toList();
  }

  /** Waits until {@code condition} holds; fails naming {@code what} and what was seen. */
  synchronized void await(String what, Duration timeout, Predicate<Recorder> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.test(this)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            name
                + ": timed out after "
                + timeout
                + " waiting for "
                + what
                + "; saw "
                + texts.size()
                + " texts (last: "
                + texts.subList(Math.max(0, texts.size() - 3), texts.size())
                + "), opens "
                + opens
                + ", states "
                + states
                + ", transport downs "
                + downs);
      }
      try {
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(name + ": interrupted waiting for " + what, e);
      }
    }
  }

  /** Waits for {@code count} chat texts. */
  void awaitChat(int count, Duration timeout) {
    await(count + " chat messages", timeout, r -> r.chat().size() >= count);
  }

  /** Waits for an open state (a welcome). */
  void awaitOpens(int count, Duration timeout) {
    await(count + " opens", timeout, r -> r.opens().size() >= count);
  }
}
