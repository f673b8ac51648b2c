package dev.outpost.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The vendored browser modules as the jar holds them: the import map resolves every bare specifier
 * the module graph imports, every file of the graph is served as JavaScript, each package has its
 * LICENSE, and nothing else is reachable.
 */
class VendorModulesTest {

  private static final Pattern IMPORT =
      Pattern.compile(
          "^[ \\t]*(?:import|export)[\\s\\w*{},$]*?from\\s*['\"]([^'\"]+)['\"]"
              + "|^[ \\t]*import\\s*['\"]([^'\"]+)['\"]",
          Pattern.MULTILINE);

  private static Map<String, Object> importMap() {
    String script = VendorModules.importMapScript();
    String json =
        script.substring(script.indexOf('>') + 1, script.lastIndexOf("</script>")).strip();
    return new JsonObject(json).getJsonObject("imports").getMap();
  }

  @Test
  void theImportMapResolvesEveryBareSpecifierOfTheWholeModuleGraph() {
    Map<String, Object> imports = importMap();
    assertThat(imports).containsKeys("yjs", "y-websocket", "y-protocols/awareness");
    Deque<String> todo = new ArrayDeque<>();
    imports.values().forEach(url -> todo.add((String) url));
    Set<String> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      String url = todo.poll();
      if (!seen.add(url)) {
        continue;
      }
      assertThat(url).startsWith(VendorModules.PREFIX);
      var asset = VendorModules.find(url.substring(VendorModules.PREFIX.length()));
      assertThat(asset).as("vendored file behind %s", url).isPresent();
      assertThat(asset.get().contentType()).isEqualTo("text/javascript; charset=utf-8");
      Matcher m = IMPORT.matcher(new String(asset.get().bytes(), StandardCharsets.UTF_8));
      while (m.find()) {
        String spec = m.group(1) != null ? m.group(1) : m.group(2);
        if (spec.startsWith("./") || spec.startsWith("../")) {
          todo.add(URI.create(url).resolve(spec).toString());
        } else {
          assertThat(imports).as("%s imports %s", url, spec).containsKey(spec);
        }
      }
    }
    assertThat(seen).as("module files reached").hasSizeGreaterThan(imports.size());
  }

  @Test
  void eachVendoredPackageHasItsLicenseServedAsText() {
    Set<String> packages = new HashSet<>();
    for (Object url : importMap().values()) {
      String path = ((String) url).substring(VendorModules.PREFIX.length());
      packages.add(path.substring(0, path.indexOf('/', path.indexOf('@'))));
    }
    assertThat(packages).hasSizeGreaterThanOrEqualTo(4); // yjs, y-websocket, y-protocols, lib0
    for (String pkg : packages) {
      var license = VendorModules.find(pkg + "/LICENSE");
      assertThat(license).as("LICENSE of %s", pkg).isPresent();
      assertThat(license.get().contentType()).isEqualTo("text/plain; charset=utf-8");
      assertThat(new String(license.get().bytes(), StandardCharsets.UTF_8))
          .as("LICENSE of %s", pkg)
          .contains("Permission is hereby granted");
    }
  }

  @Test
  void nothingOutsideTheVendoredFilesIsReachable() {
    String yjs = ((String) importMap().get("yjs")).substring(VendorModules.PREFIX.length());
    String pkg = yjs.substring(0, yjs.indexOf('/'));
    assertThat(VendorModules.find(yjs)).isPresent();
    for (String path :
        new String[] {
          "importmap.json",
          "../demo/chat.html",
          pkg + "/../../demo/chat.html",
          pkg + "/../" + pkg + "/LICENSE",
          pkg + "/%2e%2e/x.js",
          pkg + "/dist/.hidden.js",
          pkg + "/dist/nope.mjs",
          pkg + "/package.json",
          yjs + ".map",
          yjs.substring(yjs.indexOf('/') + 1),
          "yjs/dist/yjs.mjs",
          "/" + yjs,
          pkg + "//dist/yjs.mjs",
          "",
        }) {
      assertThat(VendorModules.find(path)).as("find(%s)", path).isEmpty();
    }
  }

  @Test
  void aPageWithTheMarkerGetsTheImportMapAndOthersAreUnchanged() {
    String page = "<head>\n" + VendorModules.IMPORT_MAP_MARKER + "\n</head>";
    String served = VendorModules.withImportMap(page);
    assertThat(served)
        .startsWith("<head>\n<script type=\"importmap\">")
        .contains("\"yjs\": \"/_outpost/vendor/yjs@")
        .endsWith("</script>\n</head>")
        .doesNotContain(VendorModules.IMPORT_MAP_MARKER);
    assertThat(VendorModules.withImportMap("<p>no modules</p>")).isEqualTo("<p>no modules</p>");
  }
}
