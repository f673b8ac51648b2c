package dev.outpost.router;

import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.ServedApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a node answers at {@code /} and {@code /favicon.ico}: a small HTML page saying what this
 * node is (node id, region, its apps with their versions and namespaces), linking to the samples'
 * pages when the samples app runs here, to the cluster map on a cluster node, and to the docs; and
 * the project's icon, an SVG ({@value #FAVICON}) served as {@code image/svg+xml} at both {@code
 * /favicon.svg} and {@code /favicon.ico} (browsers take an SVG there).
 *
 * <p>The page is {@value #TEMPLATE} with {@code {{name}}} placeholders filled here, every value
 * HTML-escaped; it is built per request from the node's current apps (cheap: a few hundred bytes).
 * Handlers run on the event loop and do not block beyond reading a small class-path resource.
 */
final class LandingPage {

  static final String TEMPLATE = "outpost/landing.html";
  static final String FAVICON = "outpost/favicon.svg";

  /** The app whose namespaces the samples' pages use. */
  private static final String SAMPLES_APP = "samples";

  private final ObjectInbox inbox;
  private final String nodeId;
  private final String region;
  private final boolean clustered;
  private final String template;
  private final Buffer favicon;

  LandingPage(ObjectInbox inbox, String nodeId, String region, boolean clustered) {
    this.inbox = inbox;
    this.nodeId = nodeId;
    this.region = region;
    this.clustered = clustered;
    this.template = new String(resource(TEMPLATE), StandardCharsets.UTF_8);
    this.favicon = Buffer.buffer(resource(FAVICON));
  }

  private static byte[] resource(String name) {
    try (InputStream in = LandingPage.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the router jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name, e);
    }
  }

  /** {@code GET /}: the page. */
  void serve(RoutingContext ctx) {
    List<ServedApp> apps = inbox.apps();
    StringBuilder rows = new StringBuilder();
    for (ServedApp app : apps) {
      rows.append("<tr><td>")
          .append(escape(app.name()))
          .append("</td><td>")
          .append(escape(app.version()))
          .append("</td><td>")
          .append(escape(String.join(", ", app.namespaces())))
          .append("</td></tr>\n");
    }
    if (apps.isEmpty()) {
      rows.append("<tr><td colspan=\"3\" class=\"none\">no app: deploy one</td></tr>\n");
    }
    String example =
        inbox.namespaceNames().contains("counter")
            ? "counter"
            : inbox.namespaceNames().stream().findFirst().orElse("NAMESPACE");
    String host = ctx.request().authority() == null ? "" : ctx.request().authority().toString();
    String html =
        template
            .replace("{{node}}", escape(nodeId))
            .replace("{{region}}", escape(region))
            .replace("{{apps}}", rows)
            .replace("{{base}}", escape(ctx.request().scheme() + "://" + host))
            .replace("{{example}}", escape(example))
            .replace("{{samples}}", samples(apps))
            .replace("{{cluster}}", cluster());
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(html);
  }

  private static String samples(List<ServedApp> apps) {
    if (apps.stream().noneMatch(app -> app.name().equals(SAMPLES_APP))) {
      return "<p class=\"none\">the samples app does not run on this node; start it without"
          + " <code>--bundle</code>, or add <code>--bundle</code> with the samples jar</p>";
    }
    StringBuilder list = new StringBuilder("<ul id=\"samples\">\n");
    DemoPages.all()
        .forEach(
            (name, description) ->
                list.append("<li><a href=\"")
                    .append(DemoPages.PREFIX)
                    .append(escape(name))
                    .append("\">")
                    .append(escape(name))
                    .append("</a>: ")
                    .append(escape(description))
                    .append("</li>\n"));
    return list.append("</ul>").toString();
  }

  private String cluster() {
    if (!clustered) {
      return "<p class=\"none\">this node runs alone (no cluster)</p>";
    }
    return "<p><a id=\"cluster-map\" href=\"/_outpost/cluster.html\">the cluster map</a>: regions,"
        + " nodes, live objects and connections, the apps (<a href=\"/_outpost/cluster\">as"
        + " JSON</a>)</p>";
  }

  /** {@code GET /favicon.svg} and {@code /favicon.ico}: the icon, cached for a day. */
  void favicon(RoutingContext ctx) {
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "image/svg+xml")
        .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=86400")
        .end(favicon);
  }

  static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
