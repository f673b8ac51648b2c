package dev.outpost.router.realtime;

import dev.outpost.api.WebSocketMessage;
import dev.outpost.runtime.spi.ClientConnection;

/**
 * A physical transport attached to a {@link Session}: a {@link PushLink} (a WebSocket) or a {@link
 * PullLink} (long polling, the event-stream bridge). Its id is the {@code conn} of the welcome.
 */
abstract sealed class Link permits Link.PushLink, PullLink {
  final String id;

  Link(String id) {
    this.id = id;
  }

  /** A WebSocket (local, or forwarded over a node link): frames are pushed as they come. */
  static final class PushLink extends Link {
    final ClientConnection physical;

    PushLink(String id, ClientConnection physical) {
      super(id);
      this.physical = physical;
    }

    void send(String frame) {
      physical.send(WebSocketMessage.text(frame));
    }
  }
}
