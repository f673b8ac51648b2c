package dev.outpost.samples.yjs.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link YUpdates} against yjs 13.6.33 byte for byte: the fixtures ({@code yjs/updates.json}) are
 * random documents edited concurrently by six clients (text with formats, embeds and surrogate
 * pairs, maps of every "any" kind, nested types, XML, subdocuments, deletions, garbage-collected
 * and not), their updates, and what yjs answered for {@code mergeUpdates}, {@code diffUpdate} and
 * {@code encodeStateVectorFromUpdate}. They are made by {@code
 * tests/realtime/src/test/js/yjs-fixtures.mjs}; {@code -Dyjs.fixtures=FILE} runs another set.
 */
class YUpdatesTest {

  private static final Base64.Decoder B64 = Base64.getDecoder();

  private static JsonNode fixtures() throws IOException {
    String other = System.getProperty("yjs.fixtures");
    if (other != null) {
      return new ObjectMapper().readTree(Files.readString(Path.of(other)));
    }
    try (InputStream in = YUpdatesTest.class.getResourceAsStream("/yjs/updates.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  private static byte[] bytes(JsonNode node) {
    return B64.decode(node.asText());
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  @Test
  void mergeMatchesYjs() throws IOException {
    JsonNode cases = fixtures().get("merge");
    assertThat(cases.size()).isGreaterThan(50);
    int i = 0;
    for (JsonNode c : cases) {
      List<byte[]> inputs = new ArrayList<>();
      c.get("inputs").forEach(n -> inputs.add(bytes(n)));
      assertThat(hex(YUpdates.merge(inputs)))
          .as("merge case %d", i++)
          .isEqualTo(hex(bytes(c.get("expected"))));
    }
  }

  @Test
  void diffMatchesYjs() throws IOException {
    JsonNode cases = fixtures().get("diff");
    assertThat(cases.size()).isGreaterThan(50);
    int i = 0;
    for (JsonNode c : cases) {
      assertThat(hex(YUpdates.diff(bytes(c.get("update")), bytes(c.get("stateVector")))))
          .as("diff case %d", i++)
          .isEqualTo(hex(bytes(c.get("expected"))));
    }
  }

  @Test
  void stateVectorMatchesYjs() throws IOException {
    JsonNode cases = fixtures().get("stateVector");
    assertThat(cases.size()).isGreaterThan(50);
    int i = 0;
    for (JsonNode c : cases) {
      assertThat(hex(YUpdates.stateVector(bytes(c.get("update")))))
          .as("state vector case %d", i++)
          .isEqualTo(hex(bytes(c.get("expected"))));
    }
  }

  @Test
  void emptyUpdatesAndStateVectors() {
    assertThat(YUpdates.isEmpty(YUpdates.EMPTY)).isTrue();
    assertThat(YUpdates.stateVector(YUpdates.EMPTY)).containsExactly(0);
    assertThat(YUpdates.merge(List.of(YUpdates.EMPTY, YUpdates.EMPTY)))
        .containsExactly(YUpdates.EMPTY);
    assertThat(YUpdates.diff(YUpdates.EMPTY, new byte[] {0})).containsExactly(YUpdates.EMPTY);
    assertThat(YUpdates.decodeStateVector(new byte[] {2, 1, 5, (byte) 0xac, 2, 7}))
        .isEqualTo(Map.of(1L, 5L, 300L, 7L));
  }

  @Test
  void stringsAreWrittenAsTextEncoderWritesThem() {
    assertThat(Lib0Writer.utf8("a\uD83D\uDE00")).containsExactly(0x61, 0xf0, 0x9f, 0x98, 0x80);
    assertThat(hex(Lib0Writer.utf8("\uD83D"))).isEqualTo("efbfbd"); // a lone surrogate
    assertThat(new Lib0Writer().writeVarUint(300).toByteArray()).containsExactly(0xac, 0x02);
  }
}
