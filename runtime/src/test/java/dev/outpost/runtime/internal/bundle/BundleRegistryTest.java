package dev.outpost.runtime.internal.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectId;
import dev.outpost.api.Response;
import dev.outpost.runtime.ObjectAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Apps side by side in one registry: switching one leaves the others, conflicts are refused. */
class BundleRegistryTest {

  private static final StubCalls NO_CALLS = new NoCalls();

  /** Stubs that refuse every call: no object here calls another. */
  private static final class NoCalls implements StubCalls {
    @Override
    public Response call(ObjectAddress target, dev.outpost.api.Request request) {
      throw new IllegalStateException("no calls in this test");
    }

    public int maxRpcSize() { // StubCalls' typed-call limit, where StubCalls has one
      return 1 << 20;
    }
  }

  private static CodeBundle app(String name, String... namespaces) {
    Map<String, Class<? extends DurableObject>> classes = new java.util.LinkedHashMap<>();
    for (String ns : namespaces) {
      classes.put(ns, BundleRoom.class);
    }
    return CodeBundle.of(name, classes, Map.of());
  }

  private static ObjectAddress address(String namespace) {
    return new ObjectAddress(namespace, DurableObjectId.of("%064x".formatted(1), Optional.empty()));
  }

  private final ObjectIds ids = new ObjectIds("test-key");

  @Test
  void replacingOneAppLeavesTheOthersVersionUntouched() throws Exception {
    BundleRegistry registry =
        new BundleRegistry(ids, NO_CALLS, List.of(app("a", "chat"), app("b", "counter")));
    Object chatBefore = registry.version(address("chat"));
    Object counterBefore = registry.version(address("counter"));

    registry.activate(registry.prepare(app("b", "counter", "todo")));

    assertThat(registry.version(address("chat"))).as("app a's version").isSameAs(chatBefore);
    assertThat(registry.version(address("counter")))
        .as("app b switched")
        .isNotSameAs(counterBefore);
    assertThat(registry.namespaceNames()).containsExactly("chat", "counter", "todo");
    assertThat(registry.apps()).containsOnlyKeys("a", "b");
    DurableObject room = registry.create(address("todo"), null, registry.version(address("todo")));
    assertThat(room.fetch(null)).isInstanceOf(Response.class);
  }

  @Test
  void aNamespaceOfAnotherAppIsRefusedNamingBothAndNothingChanges() {
    BundleRegistry registry = new BundleRegistry(ids, NO_CALLS, List.of(app("samples", "counter")));
    Object before = registry.version(address("counter"));
    BundleRegistry.Version clash = registry.prepare(app("clash", "counter", "other"));

    assertThat(registry.conflicts(clash.bundle()))
        .containsExactly(
            "namespace 'counter' of app clash is already served by app samples; rename it in"
                + " clash's META-INF/outpost/bundle.properties, or undeploy samples first");
    assertThatThrownBy(() -> registry.activate(clash))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("namespace 'counter' of app clash is already served by app samples");
    assertThat(registry.version(address("counter"))).isSameAs(before);
    assertThat(registry.namespaceNames()).containsExactly("counter");
  }

  @Test
  void aPartyAliasCannotTakeAnotherAppsNamespaceOrParty() {
    CodeBundle chat =
        new CodeBundle(
            "chat-app",
            "1",
            Map.of("chat", BundleRoom.class),
            Map.of(),
            Map.of("main", "chat"),
            null);
    BundleRegistry registry = new BundleRegistry(ids, NO_CALLS, List.of(chat));
    CodeBundle sameParty =
        new CodeBundle(
            "rooms",
            "1",
            Map.of("rooms", BundleRoom.class),
            Map.of(),
            Map.of("main", "rooms"),
            null);
    CodeBundle partyOnNamespace =
        new CodeBundle(
            "other",
            "1",
            Map.of("lobby", BundleRoom.class),
            Map.of(),
            Map.of("chat", "lobby"),
            null);
    CodeBundle namespaceOnParty =
        new CodeBundle("third", "1", Map.of("main", BundleRoom.class), Map.of(), Map.of(), null);

    assertThat(registry.conflicts(sameParty))
        .singleElement()
        .asString()
        .startsWith("party 'main' of app rooms is already served by app chat-app");
    assertThat(registry.conflicts(partyOnNamespace))
        .singleElement()
        .asString()
        .startsWith("party 'chat' of app other is already served by app chat-app");
    assertThat(registry.conflicts(namespaceOnParty))
        .singleElement()
        .asString()
        .startsWith("namespace 'main' of app third is already served by app chat-app");
    assertThat(registry.parties()).containsExactly(Map.entry("main", "chat"));
  }

  @Test
  void twoBootBundlesOfOneAppOrOneNamespaceAreRefused() {
    assertThatThrownBy(
            () -> new BundleRegistry(ids, NO_CALLS, List.of(app("a", "chat"), app("a", "todo"))))
        .hasMessageContaining("two bundles are both app 'a'");
    assertThatThrownBy(
            () -> new BundleRegistry(ids, NO_CALLS, List.of(app("a", "chat"), app("b", "chat"))))
        .hasMessageContaining("namespace 'chat' of app b is already served by app a");
  }

  @Test
  void aRemovedAppsObjectsFailTheirNextTurnSayingWhy() {
    BundleRegistry registry =
        new BundleRegistry(ids, NO_CALLS, List.of(app("a", "chat"), app("b", "counter")));
    assertThat(registry.remove("b")).isTrue();
    assertThat(registry.remove("b")).as("already gone").isFalse();
    assertThat(registry.version(address("counter"))).isNull();
    assertThat(registry.namespaceNames()).containsExactly("chat");
    assertThatThrownBy(() -> registry.create(address("counter"), null, null))
        .hasMessageContaining("namespace 'counter' is not served any more");
  }
}
