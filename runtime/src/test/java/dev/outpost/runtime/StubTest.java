package dev.outpost.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.DurableObjectException;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Object-to-object calls through stubs on one node. */
class StubTest {

  private ObjectHarness harness;

  @BeforeEach
  void start() {
    Scripted.reset(
        new Scripted.Behavior() {
          @Override
          public Response fetch(DurableObjectState state, Request request) {
            String me = state.id().name().orElseThrow();
            String path = request.path();
            if (path.startsWith("/call/")) {
              String target = path.substring("/call/".length());
              int slash = target.indexOf('/');
              String next = slash < 0 ? target : target.substring(0, slash);
              String rest = slash < 0 ? "/" : target.substring(slash);
              state.storage().put("called", next);
              try {
                Response r =
                    Scripted.env
                        .namespace("t")
                        .getByName(next)
                        .fetch(Request.builder("GET", rest).path(rest).build());
                return Response.ok(me + "->" + r.bodyText());
              } catch (DurableObjectException e) {
                return Response.text(502, me + " failed: " + e.getMessage());
              }
            }
            if (path.equals("/throw")) {
              throw new IllegalArgumentException("bad input");
            }
            return Response.ok(me);
          }
        });
    harness = ObjectHarness.of("t", Scripted.class);
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void callsChainThroughStubs() {
    assertThat(harness.get("t", "a", "/call/b/call/c").bodyText()).isEqualTo("a->b->c");
  }

  @Test
  void exceptionInTheCalleeReachesTheCallerAsRemote() {
    Response r = harness.get("t", "a", "/call/b/throw");
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.bodyText()).startsWith("a failed: the object threw IllegalArgumentException");
  }

  @Test
  void aCallBackIntoAWaitingObjectRunsReentrantlyInsteadOfDeadlocking() {
    assertThat(harness.get("t", "a", "/call/b/call/a").bodyText()).isEqualTo("a->b->a");
    assertThat(harness.get("t", "a", "/call/b/call/a/call/b/call/c").bodyText())
        .isEqualTo("a->b->a->b->c");
  }

  @Test
  void chainsDeeperThanTheCapFail() {
    String path = "/call/b/call/a".repeat(9); // 18 nested calls
    Response r = harness.get("t", "a", path);
    assertThat(r.bodyText()).contains("failed: call to").contains("the limit is 16");
  }
}
