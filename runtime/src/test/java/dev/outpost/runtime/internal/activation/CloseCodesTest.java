package dev.outpost.runtime.internal.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The close codes an object may send: RFC 6455 §7.4.1, §7.4.2 and the IANA registry. */
class CloseCodesTest {

  @Test
  void exactlyTheCodesAnEndpointMaySendAreAccepted() {
    int[] accepted = IntStream.rangeClosed(0, 70_000).filter(CloseCodes::sendable).toArray();

    int[] expected =
        IntStream.concat(
                IntStream.concat(
                    IntStream.rangeClosed(1000, 1003), IntStream.rangeClosed(1007, 1014)),
                IntStream.rangeClosed(3000, 4999))
            .toArray();
    assertThat(accepted).containsExactly(expected);
  }

  @ParameterizedTest
  @ValueSource(
      ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999})
  void sendableCodesPassUnchanged(int code) {
    assertThat(CloseCodes.requireSendable(code)).isEqualTo(code);
  }

  @ParameterizedTest
  @ValueSource(ints = {1005, 1006, 1015})
  void codesThatOnlyReportACloseAreRefusedNamingTheRule(int code) {
    assertThatThrownBy(() -> CloseCodes.requireSendable(code))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("close code " + code + " only reports a close")
        .hasMessageContaining("RFC 6455 §7.4.1")
        .hasMessageContaining("1011 for an internal error");
  }

  @Test
  void reservedAndOutOfRangeCodesAreRefused() {
    assertThatThrownBy(() -> CloseCodes.requireSendable(1004))
        .hasMessageContaining("1004 is reserved (RFC 6455 §7.4.1)");
    assertThatThrownBy(() -> CloseCodes.requireSendable(2000))
        .hasMessageContaining("2000 is reserved for future versions of the protocol");
    assertThatThrownBy(() -> CloseCodes.requireSendable(999))
        .hasMessageContaining("999 is outside the close-code range 1000–4999");
    assertThatThrownBy(() -> CloseCodes.requireSendable(5000))
        .hasMessageContaining("5000 is outside the close-code range 1000–4999");
  }
}
