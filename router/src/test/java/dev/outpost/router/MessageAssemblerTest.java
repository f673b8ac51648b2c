package dev.outpost.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.router.MessageAssembler.CloseStatus;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** How a client's close reaches {@code webSocketClose}: Cloudflare's codes and wasClean. */
class MessageAssemblerTest {

  @Test
  void aCloseFrameWithACodeIsReportedAsSentAndClean() {
    Buffer payload = Buffer.buffer().appendUnsignedShort(4000).appendString("bye ü");
    assertThat(CloseStatus.ofFrame(payload)).isEqualTo(new CloseStatus(4000, "bye ü", true));
  }

  @Test
  void aCloseFrameWithoutAStatusCodeIs1005NotA1000() {
    assertThat(CloseStatus.ofFrame(Buffer.buffer())).isEqualTo(new CloseStatus(1005, "", true));
  }

  @Test
  void aConnectionGoneWithoutACloseFrameIs1006AndNotClean() {
    MessageAssembler assembler = new MessageAssembler(1024);
    assertThat(assembler.closeStatus())
        .isEqualTo(
            new CloseStatus(1006, "WebSocket disconnected without sending Close frame.", false));
  }
}
