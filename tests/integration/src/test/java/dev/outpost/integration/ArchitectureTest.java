package dev.outpost.integration;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module edges of docs/design.md §2, checked on the compiled classes of every module (imported
 * from the class path: the jars of durable-objects, runtime, client, router, samples, deploy and
 * testkit).
 */
class ArchitectureTest {

  private static JavaClasses outpost;

  @BeforeAll
  static void importClasses() {
    outpost =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.outpost");
  }

  @Test
  void everyModuleIsImported() {
    // The rules below pass vacuously on packages that are missing from the class path.
    for (String pkg :
        new String[] {
          "dev.outpost.api",
          "dev.outpost.runtime",
          "dev.outpost.runtime.internal.storage.rocksdb",
          "dev.outpost.client",
          "dev.outpost.router",
          "dev.outpost.samples.counter",
          "dev.outpost.samples.chat",
          "dev.outpost.cli",
          "dev.outpost.testkit"
        }) {
      assertThat(outpost.containPackage(pkg))
          .as("classes of package %s are on the test class path", pkg)
          .isTrue();
    }
  }

  @Test
  void userApiDependsOnlyOnTheJdk() {
    classes()
        .that()
        .resideInAPackage("dev.outpost.api..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "dev.outpost.api..")
        .because("durable-objects depends on the JDK only (docs/design.md §2)")
        .check(outpost);
  }

  @Test
  void samplesDependOnlyOnTheUserApiAndTheJdk() {
    classes()
        .that()
        .resideInAPackage("dev.outpost.samples..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "dev.outpost.api..", "dev.outpost.samples..")
        .because("samples are loaded as a code bundle, like any user's (docs/design.md §2)")
        .check(outpost);
  }

  @Test
  void runtimeNeverSeesHttpTheRouterOrTheCli() {
    noClasses()
        .that()
        .resideInAPackage("dev.outpost.runtime..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.vertx.core.http..", "io.vertx.ext..", "dev.outpost.router..", "dev.outpost.cli..")
        .because("the runtime never sees HTTP; the router converts to Request/Response")
        .check(outpost);
  }

  @Test
  void runtimeRecordsMetricsThroughMicrometerCoreOnly() {
    noClasses()
        .that()
        .resideInAPackage("dev.outpost.runtime..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.micrometer.prometheusmetrics..", "io.prometheus..")
        .because(
            "the runtime records into the MeterRegistry it is given; the Prometheus registry and"
                + " the scrape endpoint belong to the router")
        .check(outpost);
  }

  @Test
  void clientDependsOnNeitherTheRuntimeNorTheRouter() {
    noClasses()
        .that()
        .resideInAPackage("dev.outpost.client..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.outpost.runtime..", "dev.outpost.router..")
        .because("the client ships to applications alone; the router depends on it, never back")
        .check(outpost);
  }

  @Test
  void rocksDbStaysInItsPackage() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.outpost.runtime.internal.storage.rocksdb..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.rocksdb..")
        .because("everything else talks to RocksDB through StorageEngine")
        .check(outpost);
  }

  @Test
  void ratisStaysInItsPackage() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.outpost.runtime.internal.replication..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.apache.ratis..")
        .because("everything else replicates through RatisReplication and ReplicatedStorage")
        .check(outpost);
  }

  @Test
  void hazelcastStaysInItsPackage() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.outpost.runtime.internal.cluster..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("com.hazelcast..")
        .because("everything else talks to Hazelcast through ObjectDirectory")
        .check(outpost);
  }

  @Test
  void routerNeverReachesIntoRuntimeInternals() {
    noClasses()
        .that()
        .resideInAPackage("dev.outpost.router..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.outpost.runtime.internal..")
        .because("the router uses the runtime's public and spi packages only (docs/design.md §2)")
        .check(outpost);
  }

  @Test
  void runtimeNeverDependsOnTheTestkit() {
    noClasses()
        .that()
        .resideInAPackage("dev.outpost.runtime..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.outpost.testkit..")
        .because("test support ships separately from the runtime")
        .check(outpost);
  }

  @Test
  void testkitUsesOnlyTheRuntimesPublicPackages() {
    noClasses()
        .that()
        .resideInAPackage("dev.outpost.testkit..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.outpost.runtime.internal..")
        .because("the testkit is built on what users can reach: dev.outpost.runtime and its spi")
        .check(outpost);
  }

  @Test
  void objectHarnessNeedsNoHttp() {
    noClasses()
        .that()
        .haveSimpleNameStartingWith("ObjectHarness")
        .or()
        .haveSimpleNameStartingWith("ObjectUnderTest")
        .or()
        .haveSimpleNameStartingWith("RecordingSocket")
        .or()
        .haveSimpleNameStartingWith("SteppingClock")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.vertx..", "dev.outpost.router..")
        .because("object unit tests run the runtime alone, with no server or client")
        .check(outpost);
  }
}
