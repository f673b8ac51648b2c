package dev.outpost.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.router.RouterOptions;
import dev.outpost.runtime.ClusterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster node reachable from other machines refuses to start with a development secret; the
 * refusal comes before anything opens (no data directory is even created), so nothing binds.
 */
class InsecureBindTest {

  @TempDir Path dir;

  /** Any object: the node never gets as far as serving it. */
  public static final class Idle implements DurableObject {
    public Idle(DurableObjectState state, Env env) {}

    @Override
    public Response fetch(Request request) {
      return Response.ok("idle");
    }
  }

  private OutpostNode.Builder node(String httpHost, String clusterHost) {
    return OutpostNode.builder()
        .dataDir(dir.resolve("data"))
        .namespace("idle", Idle.class)
        .routerOptions(RouterOptions.defaults().withHost(httpHost))
        .cluster(ClusterOptions.of("n1", "local", clusterHost, 0, 5701, List.of()));
  }

  @Test
  void everyInterfaceWithBothDevelopmentSecretsIsRefusedNamingBoth() {
    assertThatThrownBy(
            () ->
                node("0.0.0.0", "127.0.0.1")
                    .adminToken(OutpostNode.DEVELOPMENT_ADMIN_TOKEN)
                    .start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "refusing to listen on 0.0.0.0, reachable from other machines, while the admin token"
                + " and the link secret are the development defaults; set adminToken(...) and"
                + " ClusterOptions.withLinkSecret(...) to secrets of your own, or bind 127.0.0.1");
    assertThat(Files.exists(dir.resolve("data"))).as("nothing was opened").isFalse();
  }

  @Test
  void aRoutableClusterAddressWithTheDevelopmentLinkSecretIsRefused() {
    assertThatThrownBy(() -> node("127.0.0.1", "10.0.0.5").adminToken("an-operator-token").start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "refusing to listen on 10.0.0.5, reachable from other machines, while the link secret"
                + " is the development default");
    assertThat(Files.exists(dir.resolve("data"))).isFalse();
  }

  @Test
  void loopbackAndOwnSecretsAreWhatTheRuleLooksAt() {
    assertThat(OutpostNode.isLoopback("127.0.0.1")).isTrue();
    assertThat(OutpostNode.isLoopback("127.0.0.2")).isTrue();
    assertThat(OutpostNode.isLoopback("::1")).isTrue();
    assertThat(OutpostNode.isLoopback("localhost")).isTrue();
    assertThat(OutpostNode.isLoopback("0.0.0.0")).isFalse();
    assertThat(OutpostNode.isLoopback("::")).isFalse();
    assertThat(OutpostNode.isLoopback("10.0.0.5")).isFalse();
    assertThat(OutpostNode.developmentSecrets("mine", "ours")).isEmpty();
    assertThat(OutpostNode.developmentSecrets(" ", "ours")).containsExactly("the admin token");
    assertThat(OutpostNode.developmentSecrets("mine", ClusterOptions.DEVELOPMENT_LINK_SECRET))
        .containsExactly("the link secret");
  }
}
