package dev.outpost.router.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;

/**
 * Any bytes a link delivers are either refused by {@link LinkFrame#check} with a message saying
 * what is malformed (the ends then close the link with 1002), or decode with the calls the ends
 * make for that type, failing at most with the {@link IllegalArgumentException} of a refused value
 * (an id, a method), which becomes a {@code bad-request} failure. Any other exception is a finding.
 * Seeds: {@code LinkFrameFuzzTestInputs/anyFrameIsRefusedOrDecodes/} (one well-formed frame of each
 * kind); {@code -Pfuzz} fuzzes from there.
 */
class LinkFrameFuzzTest {

  @FuzzTest(maxDuration = "10m")
  void anyFrameIsRefusedOrDecodes(byte[] data) {
    Buffer frame = Buffer.buffer(data);
    try {
      LinkFrame.check(frame);
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).startsWith("malformed link frame: ");
      assertThat(
              dev.outpost.router.MessageAssembler.closeReasonOf(refused.getMessage())
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8)
                  .length)
          .isLessThanOrEqualTo(123);
      return;
    }
    LinkFrame.stream(frame);
    try {
      switch (LinkFrame.type(frame)) {
        case LinkFrame.REQUEST, LinkFrame.UPGRADE -> {
          LinkFrame.RequestHead head = LinkFrame.requestHead(frame);
          LinkFrame.chain(head);
          LinkFrame.toRequest(head, LinkFrame.body(frame));
        }
        case LinkFrame.RESPONSE -> LinkFrame.toResponse(frame);
        case LinkFrame.FAILURE -> LinkFrame.failureOf(frame);
        case LinkFrame.MESSAGE -> LinkFrame.toMessage(frame);
        case LinkFrame.CLOSE -> {
          LinkFrame.closeCode(frame);
          LinkFrame.closeReason(frame);
        }
        case LinkFrame.CREDIT -> LinkFrame.creditOf(frame);
        case LinkFrame.HANDOVER -> LinkFrame.handoverHead(frame);
        case LinkFrame.BATCH -> LinkFrame.forEachFrame(frame, inner -> {});
        default -> {}
      }
    } catch (IllegalArgumentException refusedValue) {
      assertThat(refusedValue.getMessage()).isNotBlank();
    }
  }
}
