package dev.outpost.runtime.internal.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest's namespaces and PartyKit party aliases, loaded from a classes directory. */
class BundleLoaderTest {

  private static final String ROOM = BundleRoom.class.getName();

  @TempDir Path dir;

  @Test
  void partyAliasesAreReadAndSorted() throws IOException {
    CodeBundle bundle =
        BundleLoader.load(
            bundle(
                "namespace.chat.class=" + ROOM,
                "namespace.counter.class=" + ROOM,
                "party.main=chat",
                "party.tally=counter"));
    try {
      assertThat(bundle.namespaces()).containsExactly("chat", "counter");
      assertThat(bundle.parties())
          .containsExactly(
              java.util.Map.entry("main", "chat"), java.util.Map.entry("tally", "counter"));
    } finally {
      bundle.close();
    }
  }

  @Test
  void aBundleWithoutPartiesHasNone() throws IOException {
    CodeBundle bundle = BundleLoader.load(bundle("namespace.chat.class=" + ROOM));
    try {
      assertThat(bundle.parties()).isEmpty();
    } finally {
      bundle.close();
    }
  }

  @Test
  void aPartyNamingAnUndeclaredNamespaceIsRefusedNamingThoseDeclared() throws IOException {
    Path path = bundle("namespace.chat.class=" + ROOM, "party.main=chatt");
    assertThatThrownBy(() -> BundleLoader.load(path))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("party.main=chatt")
        .hasMessageContaining("names no namespace")
        .hasMessageContaining("[chat]");
  }

  @Test
  void aPartyMayNotHideANamespace() throws IOException {
    Path path =
        bundle("namespace.chat.class=" + ROOM, "namespace.main.class=" + ROOM, "party.main=chat");
    assertThatThrownBy(() -> BundleLoader.load(path))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("party.main")
        .hasMessageContaining("would hide the namespace 'main'");
  }

  @Test
  void aPartyNameFollowsTheNamespaceRules() throws IOException {
    Path path = bundle("namespace.chat.class=" + ROOM, "party.Main=chat");
    assertThatThrownBy(() -> BundleLoader.load(path))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("party 'Main'")
        .hasMessageContaining("[a-z0-9_-]");
  }

  @Test
  void guardsAreReadBundleWideThenPerNamespaceAndBuiltInTheBundlesLoader() throws IOException {
    CodeBundle bundle =
        BundleLoader.load(
            bundle(
                "namespace.chat.class=" + ROOM,
                "namespace.counter.class=" + ROOM,
                "setting.greeting=hi",
                "guard=" + BundleGuard.class.getName(),
                "namespace.chat.guard=jwt"));
    try {
      BundleEnv env = new BundleEnv(bundle, java.util.Map.of());
      dev.outpost.runtime.ConnectGuards chat = bundle.guards("chat", env);
      assertThat(chat.steps())
          .extracting(dev.outpost.runtime.ConnectGuards.Step::name)
          .containsExactly(BundleGuard.class.getName(), "jwt");
      Object guard = ((dev.outpost.runtime.ConnectGuards.Custom) chat.steps().get(0)).guard();
      assertThat(guard.getClass().getClassLoader())
          .as("the bundle's own class, not the test's")
          .isNotSameAs(BundleGuard.class.getClassLoader());
      try {
        assertThat(guard.getClass().getField("greeting").get(guard))
            .as("built with the bundle's Env")
            .isEqualTo("hi");
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
      assertThat(bundle.guards("counter", env).steps()).hasSize(1);
    } finally {
      bundle.close();
    }
  }

  @Test
  void aGuardClassTheBundleLacksIsRefusedAtLoad() throws IOException {
    Path path = bundle("namespace.chat.class=" + ROOM, "namespace.chat.guard=com.example.Nowhere");
    assertThatThrownBy(() -> BundleLoader.load(path))
        .isInstanceOf(BundleException.class)
        .hasMessageStartingWith("guard com.example.Nowhere of namespace 'chat' in bundle test is")
        .hasMessageContaining("neither a built-in guard [jwt] nor a class the bundle has");
  }

  @Test
  void aVersionWhoseGuardCannotBeBuiltIsRejectedAndNothingChanges() throws Exception {
    Path failing =
        bundle(
            "namespace.chat.class=" + ROOM,
            "guard=" + BundleGuard.class.getName(),
            "setting.fail=no signing keys configured");
    try (dev.outpost.runtime.spi.StorageEngine engine =
            dev.outpost.runtime.StorageEngines.inMemory();
        dev.outpost.runtime.ObjectHost host =
            dev.outpost.runtime.ObjectHost.builder()
                .time(new dev.outpost.runtime.ManualTimeSource(java.time.Instant.EPOCH))
                .storage(engine)
                .bundle(bundle("namespace.chat.class=" + ROOM))
                .build()) {
      assertThatThrownBy(() -> host.prepare(failing, "2"))
          .isInstanceOf(dev.outpost.runtime.BundleRejectedException.class)
          .satisfies(
              e ->
                  assertThat(((dev.outpost.runtime.BundleRejectedException) e).problems())
                      .singleElement()
                      .asString()
                      .contains(
                          "guard "
                              + BundleGuard.class.getName()
                              + " of namespace 'chat' threw in its constructor")
                      .contains("no signing keys configured"));
      assertThat(host.guards("chat").isEmpty()).as("the running version's guards").isTrue();
    }
  }

  /** A classes directory holding {@link BundleRoom} and a manifest of {@code lines}. */
  private Path bundle(String... lines) throws IOException {
    Path classes = Files.createTempDirectory(dir, "bundle");
    String file = ROOM.replace('.', '/') + ".class";
    Path target = classes.resolve(file);
    Files.createDirectories(target.getParent());
    try (InputStream in = BundleRoom.class.getClassLoader().getResourceAsStream(file)) {
      Files.copy(in, target);
    }
    String guardFile = BundleGuard.class.getName().replace('.', '/') + ".class";
    try (InputStream in = BundleGuard.class.getClassLoader().getResourceAsStream(guardFile)) {
      Files.copy(in, classes.resolve(guardFile));
    }
    Path manifest = classes.resolve(BundleLoader.MANIFEST);
    Files.createDirectories(manifest.getParent());
    Files.writeString(
        manifest, "bundle.name=test\n" + String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return classes;
  }
}
