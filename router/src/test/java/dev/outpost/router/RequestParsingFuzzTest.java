package dev.outpost.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.api.Request;
import dev.outpost.router.realtime.ProtocolProbe;

/**
 * The router's own parsing of what clients send, fed arbitrary text: object names in paths ({@link
 * ObjectUrl#decodeName}), and the query strings and headers the real-time layer reads (resume
 * positions, subprotocol negotiation). Each either answers or refuses with an {@link
 * IllegalArgumentException} that says why; anything else is a finding. The whole HTTP path, through
 * Netty and a real node, is fuzzed by {@link HttpFuzzTest}.
 */
class RequestParsingFuzzTest {

  @FuzzTest(maxDuration = "10m")
  void namesQueriesAndHeadersParseOrAreRefused(FuzzedDataProvider data) {
    String segment = data.consumeString(200);
    try {
      assertThat(ObjectUrl.decodeName(segment)).isNotNull();
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).isNotBlank();
    }
    Request request;
    try {
      request =
          Request.builder("GET", "http://127.0.0.1/objects/chat/r?" + data.consumeString(300))
              .header("Sec-WebSocket-Protocol", data.consumeString(100))
              .header("Last-Event-ID", data.consumeString(60))
              .header(data.consumeString(30), data.consumeRemainingAsString())
              .build();
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).isNotBlank();
      return;
    }
    ProtocolProbe.parse(request);
  }
}
