package dev.outpost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResponseTest {

  /** A socket that does nothing; only its identity matters here. */
  private static final HibernatableWebSocket SOCKET =
      new HibernatableWebSocket() {
        @Override
        public void send(String text) {}

        @Override
        public void send(byte[] bytes) {}

        @Override
        public void send(WebSocketMessage message) {}

        @Override
        public void close(int code, String reason) {}

        @Override
        public void serializeAttachment(Object value) {}

        @Override
        public <T> Optional<T> deserializeAttachment(Class<T> type) {
          return Optional.empty();
        }

        @Override
        public boolean isOpen() {
          return true;
        }
      };

  @Test
  void aSwitchingProtocolsResponseCarriesTheSocketItAccepted() {
    Response accepted = Response.builder(101).webSocket(SOCKET).build();

    assertThat(accepted.webSocket()).containsSame(SOCKET);
    assertThat(accepted.isWebSocketAccept()).isTrue();
  }

  @Test
  void otherResponsesCarryNoSocket() {
    assertThat(Response.ok("x").webSocket()).isEmpty();
    assertThat(Response.empty(101).webSocket()).isEmpty();
  }

  @Test
  void onlyA101MayCarryASocket() {
    assertThatThrownBy(() -> Response.builder(200).webSocket(SOCKET).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("only a 101 response carries a WebSocket; this one has status 200");
  }
}
