package dev.outpost.cli;

import dev.outpost.router.AuthOptions;
import dev.outpost.router.JwtOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The connect-guard flags of {@code outpost node} and {@code outpost dev} (a picocli mixin): the
 * keys and checks of the router's {@code jwt} guard, and the guard time limit. Keys come from files
 * or the environment, never from the command line (where {@code ps} would show them).
 */
final class AuthFlags {

  /** The environment variable an HS256 secret may come from. */
  static final String SECRET_ENV = "OUTPOST_JWT_SECRET";

  @Option(
      names = "--jwt-secret-file",
      paramLabel = "FILE",
      description =
          "HS256 secret for the jwt guard, read from FILE (surrounding white space dropped; at"
              + " least 32 bytes). Without it, the environment variable "
              + SECRET_ENV
              + ", if set.")
  Path secretFile;

  @Option(
      names = "--jwt-public-key",
      paramLabel = "FILE",
      description =
          "RS256 (RSA) or ES256 (EC P-256) public key in PEM (-----BEGIN PUBLIC KEY-----) for the"
              + " jwt guard; repeat for several (key rotation).")
  List<Path> publicKeys = new ArrayList<>();

  @Option(
      names = "--jwt-issuer",
      paramLabel = "ISS",
      description = "The iss every token must carry; unchecked without it.")
  String issuer;

  @Option(
      names = "--jwt-audience",
      split = ",",
      paramLabel = "AUD",
      description = "Audiences (aud) of which a token must name one; unchecked without it.")
  List<String> audiences = new ArrayList<>();

  @Option(
      names = "--jwt-query-param",
      defaultValue = "token",
      paramLabel = "NAME",
      description =
          "Query parameter a token may come in without an Authorization header (browser"
              + " WebSockets and EventSource cannot set headers).")
  String queryParameter;

  @Option(
      names = "--jwt-leeway-seconds",
      defaultValue = "0",
      description = "Clock skew allowed on exp, nbf and iat, in seconds.")
  long leewaySeconds;

  @Option(
      names = "--guard-timeout-ms",
      defaultValue = "5000",
      description =
          "How long a namespace's connect guards may take for one request before the client gets"
              + " 503 (outpost.auth.guard-timeout).")
  long guardTimeoutMs;

  /**
   * The options these flags (and {@code environment}) give.
   *
   * @throws ParameterException one line naming the flag and what to do
   */
  AuthOptions options(CommandSpec spec, Map<String, String> environment) {
    AuthOptions auth;
    try {
      auth = AuthOptions.defaults().withGuardTimeout(Duration.ofMillis(guardTimeoutMs));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--guard-timeout-ms: " + e.getMessage());
    }
    Optional<String> secret = Optional.empty();
    if (secretFile != null) {
      secret = Optional.of(read(spec, secretFile, "--jwt-secret-file").strip());
    } else if (environment.get(SECRET_ENV) != null && !environment.get(SECRET_ENV).isBlank()) {
      secret = Optional.of(environment.get(SECRET_ENV).strip());
    }
    List<String> pems = new ArrayList<>();
    for (Path file : publicKeys) {
      pems.add(read(spec, file, "--jwt-public-key"));
    }
    boolean anyJwtFlag =
        issuer != null
            || !audiences.isEmpty()
            || !queryParameter.equals("token")
            || leewaySeconds != 0;
    if (secret.isEmpty() && pems.isEmpty()) {
      if (anyJwtFlag) {
        throw new ParameterException(
            spec.commandLine(),
            "the --jwt-* checks need a key: --jwt-secret-file FILE, "
                + SECRET_ENV
                + ", or --jwt-public-key FILE");
      }
      return auth;
    }
    try {
      JwtOptions jwt =
          new JwtOptions(
              secret,
              pems,
              Optional.ofNullable(issuer),
              audiences,
              queryParameter,
              Duration.ofSeconds(leewaySeconds));
      return auth.withJwt(jwt);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      String source =
          message.contains("HS256 secret")
              ? (secretFile != null ? "--jwt-secret-file " + secretFile : SECRET_ENV)
              : message.contains("public key")
                  ? "--jwt-public-key"
                  : message.contains("query parameter")
                      ? "--jwt-query-param"
                      : message.contains("leeway") ? "--jwt-leeway-seconds" : "--jwt-*";
      throw new ParameterException(spec.commandLine(), source + ": " + e.getMessage());
    }
  }

  private static String read(CommandSpec spec, Path file, String flag) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(),
          flag + " " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }
}
