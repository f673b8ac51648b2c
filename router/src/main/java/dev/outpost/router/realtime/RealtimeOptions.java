package dev.outpost.router.realtime;

import dev.outpost.client.protocol.CloseCodes;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the real-time layer: sessions, heartbeats, recovery, backpressure and rate limits.
 * Immutable; start from {@link #defaults()} and change fields with {@link #toBuilder()}. Each field
 * names the setting quoted in close reasons and error messages.
 *
 * <p><b>Per-connection bounds.</b> Every bound on one client connection comes from here; only the
 * size of one message is set elsewhere ({@code RouterOptions.maxMessageSize}, 1 MiB by default, at
 * most 32 MiB):
 *
 * <table>
 *   <caption>Which bound applies where</caption>
 *   <tr><th>Bound</th><th>Applies to</th><th>Past it</th></tr>
 *   <tr><td>{@code outbound-max-messages}, {@code outbound-max-bytes}</td>
 *       <td>output not yet written to a local WebSocket (plain or session); output of a forwarded
 *       socket waiting on the owner for link credit (on top of 256 messages of credit)</td>
 *       <td>closed with {@link CloseCodes#SLOW_CONSUMER}</td></tr>
 *   <tr><td>{@code inbound-rate}, {@code inbound-burst}</td>
 *       <td>messages from every client: sessions on any transport and plain WebSockets, local or
 *       forwarded (counted on the owner)</td>
 *       <td>closed with {@link CloseCodes#RATE_LIMITED}</td></tr>
 *   <tr><td>{@code replay-max-*}</td>
 *       <td>what a session keeps for resume, and what a pull transport (SSE, long polling) has not
 *       fetched yet</td>
 *       <td>resume not exact ("not recovered"); a pull consumer that missed a message is closed
 *       with {@link CloseCodes#SLOW_CONSUMER}</td></tr>
 *   <tr><td>{@code pollMaxMessages}, {@code pollMaxBytes}</td>
 *       <td>one long-poll answer or event-stream batch</td>
 *       <td>the rest waits for the next batch</td></tr>
 * </table>
 *
 * <p>They are consistent with any message size by construction: every byte bound admits one message
 * on its own whatever its size (the first unwritten message, the newest replay entry, the first
 * message of a batch), so a single message up to the message-size limit always reaches a consumer
 * that keeps up, and the bounds limit only what piles up behind it.
 *
 * @param heartbeatInterval {@code outpost.realtime.heartbeat-interval}: how often the server pings
 *     an attached client (WebSocket and SSE) and how long a long poll is held at most
 * @param heartbeatTimeout {@code outpost.realtime.heartbeat-timeout}: how long the client has to
 *     answer a ping (or, on long polling, to poll again) before its connection counts as dead and
 *     is closed with {@link CloseCodes#HEARTBEAT_TIMEOUT}
 * @param resumeWindow {@code outpost.realtime.resume-window}: how long a session whose connection
 *     dropped waits for the client to resume it; the object sees the close only after this
 * @param replayMaxMessages {@code outpost.realtime.replay-max-messages}: most messages a session
 *     keeps for replay
 * @param replayMaxBytes {@code outpost.realtime.replay-max-bytes}: most payload bytes a session
 *     keeps for replay
 * @param replayMaxAge {@code outpost.realtime.replay-max-age}: oldest message a session keeps
 * @param outboundMaxMessages {@code outpost.realtime.outbound-max-messages}: messages that may wait
 *     unwritten for one WebSocket before it is closed with {@link CloseCodes#SLOW_CONSUMER}
 * @param outboundMaxBytes {@code outpost.realtime.outbound-max-bytes}: bytes that may wait likewise
 * @param inboundRate {@code outpost.realtime.inbound-rate}: messages per second a session may send
 *     on average; past the burst it is closed with {@link CloseCodes#RATE_LIMITED}
 * @param inboundBurst {@code outpost.realtime.inbound-burst}: messages a session may send at once
 * @param pollMaxMessages most messages in one long-poll or event-stream batch
 * @param pollMaxBytes most payload bytes in one batch (one larger message still goes alone)
 */
public record RealtimeOptions(
    Duration heartbeatInterval,
    Duration heartbeatTimeout,
    Duration resumeWindow,
    int replayMaxMessages,
    long replayMaxBytes,
    Duration replayMaxAge,
    int outboundMaxMessages,
    long outboundMaxBytes,
    int inboundRate,
    int inboundBurst,
    int pollMaxMessages,
    long pollMaxBytes) {

  /** Validates every field. */
  public RealtimeOptions {
    positive(heartbeatInterval, "heartbeatInterval");
    positive(heartbeatTimeout, "heartbeatTimeout");
    positive(resumeWindow, "resumeWindow");
    positive(replayMaxAge, "replayMaxAge");
    if (replayMaxMessages < 1
        || replayMaxBytes < 1
        || outboundMaxMessages < 1
        || outboundMaxBytes < 1
        || inboundRate < 1
        || inboundBurst < 1
        || pollMaxMessages < 1
        || pollMaxBytes < 1) {
      throw new IllegalArgumentException("real-time sizes, rates and bursts must be >= 1");
    }
  }

  /**
   * 25 s heartbeat with a 10 s timeout, a 2 min resume window, a replay buffer of 1,024 messages /
   * 1 MiB / 2 min, 8,192 messages / 8 MiB of unwritten output per WebSocket, 1,000 messages/s
   * (bursts of 2,000) per session.
   */
  public static RealtimeOptions defaults() {
    return new RealtimeOptions(
        Duration.ofSeconds(25),
        Duration.ofSeconds(10),
        Duration.ofMinutes(2),
        1024,
        1024 * 1024,
        Duration.ofMinutes(2),
        8192,
        8L * 1024 * 1024,
        1000,
        2000,
        512,
        1024 * 1024);
  }

  /** A builder holding these values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
  }

  /** Changes some fields of a {@link RealtimeOptions}. Not thread-safe. */
  public static final class Builder {
    private Duration heartbeatInterval;
    private Duration heartbeatTimeout;
    private Duration resumeWindow;
    private int replayMaxMessages;
    private long replayMaxBytes;
    private Duration replayMaxAge;
    private int outboundMaxMessages;
    private long outboundMaxBytes;
    private int inboundRate;
    private int inboundBurst;
    private int pollMaxMessages;
    private long pollMaxBytes;

    private Builder(RealtimeOptions o) {
      heartbeatInterval = o.heartbeatInterval;
      heartbeatTimeout = o.heartbeatTimeout;
      resumeWindow = o.resumeWindow;
      replayMaxMessages = o.replayMaxMessages;
      replayMaxBytes = o.replayMaxBytes;
      replayMaxAge = o.replayMaxAge;
      outboundMaxMessages = o.outboundMaxMessages;
      outboundMaxBytes = o.outboundMaxBytes;
      inboundRate = o.inboundRate;
      inboundBurst = o.inboundBurst;
      pollMaxMessages = o.pollMaxMessages;
      pollMaxBytes = o.pollMaxBytes;
    }

    public Builder heartbeat(Duration interval, Duration timeout) {
      this.heartbeatInterval = interval;
      this.heartbeatTimeout = timeout;
      return this;
    }

    public Builder resumeWindow(Duration value) {
      this.resumeWindow = value;
      return this;
    }

    public Builder replay(int maxMessages, long maxBytes, Duration maxAge) {
      this.replayMaxMessages = maxMessages;
      this.replayMaxBytes = maxBytes;
      this.replayMaxAge = maxAge;
      return this;
    }

    public Builder outbound(int maxMessages, long maxBytes) {
      this.outboundMaxMessages = maxMessages;
      this.outboundMaxBytes = maxBytes;
      return this;
    }

    public Builder inbound(int ratePerSecond, int burst) {
      this.inboundRate = ratePerSecond;
      this.inboundBurst = burst;
      return this;
    }

    public Builder pollBatch(int maxMessages, long maxBytes) {
      this.pollMaxMessages = maxMessages;
      this.pollMaxBytes = maxBytes;
      return this;
    }

    public RealtimeOptions build() {
      return new RealtimeOptions(
          heartbeatInterval,
          heartbeatTimeout,
          resumeWindow,
          replayMaxMessages,
          replayMaxBytes,
          replayMaxAge,
          outboundMaxMessages,
          outboundMaxBytes,
          inboundRate,
          inboundBurst,
          pollMaxMessages,
          pollMaxBytes);
    }
  }
}
