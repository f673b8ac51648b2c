/**
 * The {@code outpost} command line: {@code node}, {@code demo}, {@code dev}, {@code new}, {@code
 * deploy}, {@code rollback} and {@code move} (and, for their help, the launcher's {@code build},
 * {@code test} and {@code bench}); a node's options become an {@code OutpostNode}
 * (dev.outpost.node), which assembles it. Errors reach the user as one line ({@link
 * dev.outpost.cli.OutpostCli}).
 *
 * <p>May depend on the router and the runtime's public and {@code spi} packages (and picocli);
 * should not reach into {@code dev.outpost.runtime.internal}. Nothing in the runtime or router may
 * depend on it (checked by {@code ArchitectureTest} for the runtime). See README.md.
 */
package dev.outpost.cli;
