package dev.outpost.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --router URL}: which router an admin command talks to, the same flag on {@code deploy},
 * {@code rollback} and {@code move}. Commands keep their older name for it ({@code --to}, {@code
 * --via}) as a hidden alias through {@link #or}.
 */
final class RouterOption {

  static final String DEFAULT = "http://127.0.0.1:8081";

  @Option(
      names = "--router",
      paramLabel = "URL",
      defaultValue = DEFAULT,
      converter = RouterUrl.class,
      description = "Any router of the cluster, as http://HOST:PORT.")
  URI router;

  /** The router: {@code alias} when the command's older flag was given, else {@code --router}. */
  URI or(Optional<URI> alias) {
    return alias.orElse(router);
  }

  /**
   * Parses a router URL: {@code http} or {@code https}, a host, nothing after the port but an
   * optional {@code /}. Refusals say how to write it ("'127.0.0.1:8081' has no scheme; write
   * http://127.0.0.1:8081").
   */
  static final class RouterUrl implements ITypeConverter<URI> {
    @Override
    public URI convert(String value) {
      String text = value.strip();
      if (!text.contains("://")) {
        throw new TypeConversionException(
            "'" + value + "' has no scheme; write http://" + text.replaceAll("^/+", ""));
      }
      URI uri;
      try {
        uri = new URI(text.replaceAll("/+$", ""));
      } catch (URISyntaxException e) {
        throw new TypeConversionException(
            "'" + value + "' is not a URL (" + e.getReason() + "); write http://HOST:PORT");
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw new TypeConversionException(
            "'" + value + "' is not an http:// or https:// URL; write http://HOST:PORT");
      }
      if (uri.getHost() == null || (uri.getPath() != null && !uri.getPath().isEmpty())) {
        throw new TypeConversionException(
            "'" + value + "' should be a router's address only; write http://HOST:PORT");
      }
      return uri;
    }
  }
}
