package dev.outpost.router;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * Third-party browser ES modules bundled in the router jar, unchanged, for the demo pages that have
 * no build step and use no CDN (the {@code doc} page's {@code yjs} and {@code y-websocket}; yjs is
 * not on Maven Central). The files are npm's, copied with their {@code LICENSE} by {@code
 * tests/realtime/src/test/js/update-vendor.mjs} from the versions the committed package-lock.json
 * pins, into class-path {@code outpost/vendor/{package}@{version}/{path}}, with the import map that
 * resolves their bare specifiers ({@code outpost/vendor/importmap.json}).
 *
 * <p>Served at {@code GET /_outpost/vendor/{package}@{version}/{path}}: a {@code .js} or {@code
 * .mjs} file as {@code text/javascript; charset=utf-8}, a package's {@code LICENSE} as text; both
 * cacheable for a year ({@code immutable}: a new version is a new URL). Anything else is 404: a
 * path must match {@link #PATH} (no {@code ..}, no {@code %}, no leading dot in any segment), so
 * nothing outside {@code outpost/vendor/} is reachable, and the import map itself is not served.
 *
 * <p>A page includes the map by carrying the line {@value #IMPORT_MAP_MARKER}; {@link
 * #withImportMap} replaces it with {@code <script type="importmap">} and the map, since browsers do
 * not load an import map from a URL. Files are read from the jar once and kept (at most the
 * vendored set, about 640 KiB). Thread-safe; called on event loops.
 */
final class VendorModules {

  /** Where the files are served: {@code PREFIX + "yjs@13.6.33/dist/yjs.mjs"}. */
  static final String PREFIX = "/_outpost/vendor/";

  /** The line of a page that {@link #withImportMap} replaces with the import map. */
  static final String IMPORT_MAP_MARKER = "<!-- outpost:importmap -->";

  static final String DIRECTORY = "outpost/vendor/";
  static final String IMPORT_MAP = DIRECTORY + "importmap.json";

  /**
   * A servable path: an optional npm scope, {@code name@version}, then segments of letters, digits,
   * {@code _ . -} that do not start with a dot; a module ({@code .js}, {@code .mjs}) or a {@code
   * LICENSE}.
   */
  static final Pattern PATH =
      Pattern.compile(
          "(?:@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*@[0-9][0-9A-Za-z.+-]*"
              + "(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)*/(?:[A-Za-z0-9_][A-Za-z0-9._-]*\\.m?js|LICENSE)");

  /** A vendored file: its bytes and {@code Content-Type}. */
  record Asset(byte[] bytes, String contentType) {}

  private static final ConcurrentMap<String, Asset> FOUND = new ConcurrentHashMap<>();
  private static volatile String importMapScript; // null until first read

  private VendorModules() {}

  /** The vendored file at {@code path} (relative to {@link #PREFIX}), if it is one. */
  static Optional<Asset> find(String path) {
    if (path == null || !PATH.matcher(path).matches()) {
      return Optional.empty();
    }
    Asset cached = FOUND.get(path);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<byte[]> bytes = read(DIRECTORY + path);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    String type =
        path.endsWith("/LICENSE") ? "text/plain; charset=utf-8" : "text/javascript; charset=utf-8";
    Asset asset = new Asset(bytes.get(), type);
    FOUND.putIfAbsent(path, asset);
    return Optional.of(asset);
  }

  /** Answers {@code GET /_outpost/vendor/*}. */
  static void serve(RoutingContext ctx) {
    String path = ctx.request().path().substring(PREFIX.length());
    find(path)
        .ifPresentOrElse(
            asset ->
                ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType())
                    .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=31536000, immutable")
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .end(Buffer.buffer(asset.bytes())),
            () ->
                HttpReplies.text(
                    ctx.response(),
                    404,
                    "no vendored file "
                        + path
                        + "; the router serves only the modules named by "
                        + IMPORT_MAP
                        + " and the files they import, as "
                        + PREFIX
                        + "{package}@{version}/{path}"));
  }

  /**
   * {@code page} with its {@link #IMPORT_MAP_MARKER} replaced by the import map's script element;
   * {@code page} itself if it has no marker.
   *
   * @throws IllegalStateException if the page has the marker but the jar has no import map
   */
  static String withImportMap(String page) {
    if (!page.contains(IMPORT_MAP_MARKER)) {
      return page;
    }
    return page.replace(IMPORT_MAP_MARKER, importMapScript());
  }

  /** {@code <script type="importmap">…</script>} with the jar's import map. */
  static String importMapScript() {
    String script = importMapScript;
    if (script == null) {
      String json =
          read(IMPORT_MAP)
              .map(b -> new String(b, StandardCharsets.UTF_8))
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          IMPORT_MAP
                              + " is missing from the router jar; run node update-vendor.mjs in"
                              + " tests/realtime/src/test/js"));
      // "</" would end the script element early; "<\/" means the same in JSON.
      script = "<script type=\"importmap\">\n" + json.replace("</", "<\\/") + "</script>";
      importMapScript = script;
    }
    return script;
  }

  private static Optional<byte[]> read(String resource) {
    try (InputStream in = VendorModules.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource + " from the router jar", e);
    }
  }
}
