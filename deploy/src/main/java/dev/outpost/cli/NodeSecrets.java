package dev.outpost.cli;

import dev.outpost.node.OutpostNode;
import dev.outpost.runtime.ClusterOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where a node's secrets come from: a file ({@code --admin-token-file}, {@code --link-secret-file};
 * a Kubernetes secret volume or a systemd credential), else the environment ({@code
 * OUTPOST_ADMIN_TOKEN}, {@code OUTPOST_LINK_SECRET}), else the development defaults, which a node
 * reachable from other machines refuses ({@link #requireSecureBinding}).
 */
final class NodeSecrets {
  /** Environment variable holding the admin token. */
  static final String ADMIN_TOKEN_ENV = "OUTPOST_ADMIN_TOKEN";

  /** Environment variable holding the node-link secret. */
  static final String LINK_SECRET_ENV = "OUTPOST_LINK_SECRET";

  private NodeSecrets() {}

  /** The admin token: {@code file}'s content if given, else the environment's, else the default. */
  static String adminToken(Path file, Map<String, String> env) {
    return secret(file, "--admin-token-file", env.get(ADMIN_TOKEN_ENV))
        .orElse(OutpostNode.DEVELOPMENT_ADMIN_TOKEN);
  }

  /** The link secret: {@code file}'s content if given, else the environment's, else the default. */
  static String linkSecret(Path file, Map<String, String> env) {
    return secret(file, "--link-secret-file", env.get(LINK_SECRET_ENV))
        .orElse(ClusterOptions.DEVELOPMENT_LINK_SECRET);
  }

  private static java.util.Optional<String> secret(Path file, String flag, String fromEnv) {
    if (file != null) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8).strip();
      } catch (IOException | RuntimeException e) {
        throw new CliException(
            flag + " " + file + ": cannot read it (" + e.getMessage() + "); give a readable file",
            e);
      }
      if (text.isEmpty()) {
        throw new CliException(flag + " " + file + " is empty; put the secret in it");
      }
      return java.util.Optional.of(text);
    }
    return fromEnv == null || fromEnv.isBlank()
        ? java.util.Optional.empty()
        : java.util.Optional.of(fromEnv.strip());
  }

  /**
   * Refuses, as a one-line {@link CliException}, a node whose HTTP address ({@code host}) or
   * cluster address ({@code advertised}) is not loopback while a secret is the development default;
   * the message names the settings to set.
   */
  static void requireSecureBinding(
      String host, String advertised, String adminToken, String linkSecret) {
    List<String> defaults = OutpostNode.developmentSecrets(adminToken, linkSecret);
    if (defaults.isEmpty()) {
      return;
    }
    String flag = !OutpostNode.isLoopback(host) ? "--host " + host : null;
    if (flag == null && !OutpostNode.isLoopback(advertised)) {
      flag = "--advertise " + advertised;
    }
    if (flag == null) {
      return;
    }
    StringBuilder settings = new StringBuilder();
    if (defaults.contains("the admin token")) {
      settings.append(ADMIN_TOKEN_ENV).append(" (or --admin-token-file)");
    }
    if (defaults.contains("the link secret")) {
      settings.append(settings.isEmpty() ? "" : " and ");
      settings.append(LINK_SECRET_ENV).append(" (or --link-secret-file)");
    }
    throw new CliException(
        flag
            + " is reachable from other machines, but "
            + String.join(" and ", defaults)
            + (defaults.size() == 1
                ? " is the development default"
                : " are the development defaults")
            + "; set "
            + settings
            + " to secrets of your own (the same on every node), or bind --host 127.0.0.1");
  }
}
