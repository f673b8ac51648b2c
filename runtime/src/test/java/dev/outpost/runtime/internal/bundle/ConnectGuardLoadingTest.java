package dev.outpost.runtime.internal.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.Admission;
import dev.outpost.api.ConnectGuard;
import dev.outpost.api.DurableObject;
import dev.outpost.api.Env;
import dev.outpost.api.Lobby;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.ConnectGuards;
import dev.outpost.runtime.ObjectAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Guards named by a manifest ({@code guard=}, {@code namespace.NAME.guard=}) load with their code
 * version, in order, and every mistake fails the load with a message naming the entry.
 */
class ConnectGuardLoadingTest {

  /** A guard reading a setting through the Env its constructor got. */
  public static final class SettingGuard implements ConnectGuard {
    final String greeting;

    public SettingGuard(Env env) {
      this.greeting = env.setting("greeting").orElse("?");
    }

    @Override
    public Admission onBeforeConnect(Request request, Lobby lobby) {
      return Admission.admit(request.withHeader("X-Greeting", greeting));
    }
  }

  /** A guard with a no-argument constructor. */
  public static final class PlainGuard implements ConnectGuard {}

  /** A guard whose constructor fails. */
  public static final class ThrowingGuard implements ConnectGuard {
    public ThrowingGuard() {
      throw new IllegalStateException("no keys configured");
    }
  }

  /** Not a guard. */
  public static final class NotAGuard {}

  private static final StubCalls NO_CALLS =
      new StubCalls() {
        @Override
        public Response call(ObjectAddress target, Request request) {
          throw new IllegalStateException("no calls in this test");
        }

        public int maxRpcSize() {
          return 1 << 20;
        }
      };

  private static CodeBundle bundle(Map<String, String> guards) {
    Map<String, Class<? extends DurableObject>> classes = new java.util.LinkedHashMap<>();
    classes.put("chat", BundleRoom.class);
    classes.put("counter", BundleRoom.class);
    return CodeBundle.of("app", classes, Map.of("greeting", "hi"), guards);
  }

  private static ConnectGuards guardsOf(CodeBundle bundle, String namespace) {
    BundleRegistry registry =
        new BundleRegistry(new ObjectIds("test-key"), NO_CALLS, List.of(bundle));
    return registry.forNamespace(namespace).orElseThrow().guards(namespace);
  }

  @Test
  void theBundlesGuardsRunBeforeTheNamespacesOwnInTheOrderListed() {
    CodeBundle bundle =
        bundle(
            Map.of(
                "*", PlainGuard.class.getName(), "chat", "jwt, " + SettingGuard.class.getName()));

    ConnectGuards chat = guardsOf(bundle, "chat");
    assertThat(chat.steps())
        .extracting(ConnectGuards.Step::name)
        .containsExactly(PlainGuard.class.getName(), "jwt", SettingGuard.class.getName());
    assertThat(chat.steps().get(1)).isInstanceOf(ConnectGuards.BuiltIn.class);
    assertThat(((ConnectGuards.Custom) chat.steps().get(2)).guard())
        .isInstanceOfSatisfying(SettingGuard.class, g -> assertThat(g.greeting).isEqualTo("hi"));
    assertThat(guardsOf(bundle, "counter").steps())
        .extracting(ConnectGuards.Step::name)
        .containsExactly(PlainGuard.class.getName());
    assertThat(guardsOf(bundle(Map.of()), "chat").isEmpty()).isTrue();
  }

  @Test
  void aGuardForAnUndeclaredNamespaceIsRefused() {
    assertThatThrownBy(() -> bundle(Map.of("chta", "jwt")))
        .isInstanceOf(BundleException.class)
        .hasMessage(
            "namespace.chta.guard in bundle app names no namespace of the bundle; it declares"
                + " [chat, counter]");
  }

  @Test
  void anUnknownNameOrAClassThatIsNoGuardIsRefused() {
    assertThatThrownBy(() -> bundle(Map.of("chat", "jtw")))
        .isInstanceOf(BundleException.class)
        .hasMessage(
            "guard jtw of namespace 'chat' in bundle app is neither a built-in guard [jwt] nor a"
                + " class the bundle has");
    assertThatThrownBy(() -> bundle(Map.of("*", NotAGuard.class.getName())))
        .isInstanceOf(BundleException.class)
        .hasMessageEndingWith("does not implement dev.outpost.api.ConnectGuard");
  }

  @Test
  void aGuardWhoseConstructorThrowsFailsTheVersion() {
    CodeBundle bundle = bundle(Map.of("counter", ThrowingGuard.class.getName()));
    assertThatThrownBy(() -> guardsOf(bundle, "counter"))
        .isInstanceOf(BundleException.class)
        .hasMessage(
            "guard "
                + ThrowingGuard.class.getName()
                + " of namespace 'counter' threw in its"
                + " constructor")
        .hasRootCauseMessage("no keys configured");
  }
}
