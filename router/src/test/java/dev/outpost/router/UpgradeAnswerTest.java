package dev.outpost.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpgradeAnswerTest {

  private static final Request OFFERS =
      Request.builder("GET", "/objects/ws/a")
          .header("Upgrade", "websocket")
          .header("Sec-WebSocket-Protocol", "graphql-transport-ws, mqtt")
          .build();

  @Test
  void theObjectMayChooseAnOfferedSubprotocolAndAddHeaders() {
    Response accepted =
        Response.builder(101)
            .header("Sec-WebSocket-Protocol", "mqtt")
            .header("X-Room", "a")
            .header("Upgrade", "not-yours")
            .build();
    assertThat(UpgradeAnswer.offered(OFFERS)).containsExactly("graphql-transport-ws", "mqtt");
    assertThat(UpgradeAnswer.refusal(OFFERS, accepted)).isEmpty();
    assertThat(UpgradeAnswer.headers(accepted))
        .isEqualTo(Map.of("Sec-WebSocket-Protocol", List.of("mqtt"), "X-Room", List.of("a")));
  }

  @Test
  void noSubprotocolIsAlwaysAllowed() {
    assertThat(UpgradeAnswer.refusal(OFFERS, Response.empty(101))).isEmpty();
  }

  @Test
  void aSubprotocolTheClientDidNotOfferIsRefused() {
    Response accepted = Response.builder(101).header("Sec-WebSocket-Protocol", "stomp").build();
    assertThat(UpgradeAnswer.refusal(OFFERS, accepted))
        .hasValueSatisfying(
            why ->
                assertThat(why)
                    .contains("[stomp]")
                    .contains("did not offer")
                    .contains("[graphql-transport-ws, mqtt]"));
    Request offersNone = Request.builder("GET", "/objects/ws/a").build();
    assertThat(UpgradeAnswer.refusal(offersNone, accepted)).isPresent();
  }
}
