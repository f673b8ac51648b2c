package dev.outpost.router.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.DurableObjectId;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.ObjectAddress;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The binary heads of REQUEST, UPGRADE and RESPONSE frames: what is written is read back. */
class LinkFrameTest {

  private static final String ID = "a".repeat(64);

  @Test
  void requestRoundTripsWithEveryField() {
    Request request =
        Request.builder("POST", "/objects/chat/r?x=1")
            .path("/p")
            .header("X-Many", "one")
            .header("X-Many", "two")
            .header("Content-Type", "text/plain; charset=utf-8")
            .body("héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .build();
    List<ObjectAddress> chain =
        List.of(new ObjectAddress("chat", DurableObjectId.of("b".repeat(64), Optional.empty())));

    Buffer frame = LinkFrame.request(LinkFrame.REQUEST, 7, "chat", ID, "r", "eu", request, chain);
    LinkFrame.check(frame);

    assertThat(LinkFrame.type(frame)).isEqualTo(LinkFrame.REQUEST);
    assertThat(LinkFrame.stream(frame)).isEqualTo(7);
    LinkFrame.RequestHead head = LinkFrame.requestHead(frame);
    assertThat(head.ns()).isEqualTo("chat");
    assertThat(head.id()).isEqualTo(ID);
    assertThat(head.name()).isEqualTo("r");
    assertThat(head.jurisdiction()).isEqualTo("eu");
    assertThat(LinkFrame.chain(head)).isEqualTo(chain);
    Request back = LinkFrame.toRequest(head, LinkFrame.body(frame));
    assertThat(back.method()).isEqualTo("POST");
    assertThat(back.url()).isEqualTo("/objects/chat/r?x=1");
    assertThat(back.path()).isEqualTo("/p");
    assertThat(back.headers()).isEqualTo(request.headers());
    assertThat(back.body()).isEqualTo(request.body());
  }

  @Test
  void absentNameJurisdictionAndChainStayAbsent() {
    Buffer frame =
        LinkFrame.request(
            LinkFrame.UPGRADE,
            1,
            "chat",
            ID,
            null,
            null,
            Request.builder("GET", "/").build(),
            null);
    LinkFrame.check(frame);

    LinkFrame.RequestHead head = LinkFrame.requestHead(frame);
    assertThat(head.name()).isNull();
    assertThat(head.jurisdiction()).isNull();
    assertThat(LinkFrame.chain(head)).isNull();
    assertThat(LinkFrame.body(frame)).isEmpty();
  }

  @Test
  void responseRoundTrips() {
    Response response =
        Response.builder(201)
            .header("Set-Cookie", "a=1")
            .header("Set-Cookie", "b=2")
            .body(new byte[] {0, 1, 2})
            .build();

    Buffer frame = LinkFrame.response(3, response);
    LinkFrame.check(frame);
    Response back = LinkFrame.toResponse(frame);

    assertThat(back.status()).isEqualTo(201);
    assertThat(back.headers()).isEqualTo(response.headers());
    assertThat(back.body()).containsExactly(0, 1, 2);
  }

  @Test
  void aStringRunningPastTheHeadIsRefused() {
    Buffer frame = LinkFrame.response(3, Response.builder(200).header("A", "b").build());
    frame.setInt(9 + 4 + 4, 1000); // the header name's length

    assertThatThrownBy(() -> LinkFrame.check(frame))
        .hasMessageStartingWith("malformed link frame: a header name has length 1000");
  }

  @Test
  void bytesLeftInTheHeadAreRefused() {
    Buffer good = LinkFrame.response(3, Response.empty(200)); // no body: the head ends the frame
    Buffer frame = good.copy().appendInt(0); // one more field than a response head has
    frame.setInt(5, good.getInt(5) + 4);

    assertThatThrownBy(() -> LinkFrame.check(frame))
        .hasMessage("malformed link frame: 4 bytes after the head's last field");
  }

  @Test
  void aChainEntryWithoutSlashIsRefused() {
    Request request = Request.builder("GET", "/").build();
    List<ObjectAddress> chain =
        List.of(new ObjectAddress("chat", DurableObjectId.of("b".repeat(64), Optional.empty())));
    Buffer frame = LinkFrame.request(LinkFrame.REQUEST, 1, "chat", ID, null, null, request, chain);
    int slash = frame.toString(java.nio.charset.StandardCharsets.ISO_8859_1).lastIndexOf('/');
    frame.setByte(slash, (byte) '-');

    assertThatThrownBy(() -> LinkFrame.check(frame))
        .hasMessage("malformed link frame: a chain entry is not NAMESPACE/ID");
  }

  /** The fuzz test's seeds are well-formed frames of each kind, in this version's format. */
  @Test
  void fuzzSeedsAreWellFormedExceptTheBadOne() throws IOException {
    String dir = "LinkFrameFuzzTestInputs/anyFrameIsRefusedOrDecodes/";
    for (String seed :
        List.of(
            "request",
            "upgrade",
            "response",
            "failure",
            "message",
            "close",
            "credit",
            "handover",
            "entries",
            "install")) {
      Buffer frame = seed(dir + seed);
      LinkFrame.check(frame);
    }
    assertThatThrownBy(() -> LinkFrame.check(seed(dir + "bad-head-length")))
        .hasMessageContaining("head length");
    LinkFrame.RequestHead head = LinkFrame.requestHead(seed(dir + "request"));
    assertThat(head.chain()).singleElement().asString().startsWith("chat/");
  }

  private static Buffer seed(String name) throws IOException {
    try (InputStream in = LinkFrameTest.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return Buffer.buffer(in.readAllBytes());
    }
  }

  @Test
  void aBatchCarriesWholeFramesInOrderAndIsCheckedFrameByFrame() {
    Buffer credit = LinkFrame.credit(3, 10);
    Buffer response = LinkFrame.response(4, Response.ok("4"));
    Buffer batch =
        LinkFrame.batch()
            .appendInt(credit.length())
            .appendBuffer(credit)
            .appendInt(response.length())
            .appendBuffer(response);
    LinkFrame.check(batch);

    List<Buffer> frames = new java.util.ArrayList<>();
    LinkFrame.forEachFrame(batch, frames::add);
    assertThat(frames).containsExactly(credit, response);
    assertThat(LinkFrame.toResponse(frames.get(1)).bodyText()).isEqualTo("4");
  }

  @Test
  void aBatchWithAMalformedOrNestedFrameIsRefused() {
    Buffer shortCredit = Buffer.buffer().appendByte(LinkFrame.CREDIT).appendInt(3);
    assertThatThrownBy(
            () ->
                LinkFrame.check(
                    LinkFrame.batch().appendInt(shortCredit.length()).appendBuffer(shortCredit)))
        .hasMessage("malformed link frame: a credit needs 9 bytes, has 5");
    Buffer inner = LinkFrame.batch();
    assertThatThrownBy(
            () -> LinkFrame.check(LinkFrame.batch().appendInt(inner.length()).appendBuffer(inner)))
        .hasMessage("malformed link frame: a batch inside a batch");
    assertThatThrownBy(() -> LinkFrame.check(LinkFrame.batch().appendInt(99).appendInt(0)))
        .hasMessage("malformed link frame: a batched frame's length 99 is below 5 or runs past");
  }
}
