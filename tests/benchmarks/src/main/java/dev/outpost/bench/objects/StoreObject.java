package dev.outpost.bench.objects;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.ListOptions;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tiny key-value object for the {@code activate} workload and the storage micro-benchmarks. It
 * uses only the {@code durable-objects} API, like user code.
 *
 * <ul>
 *   <li>{@code POST /fill?keys=K&bytes=B}: writes keys {@code k00000..} with B random bytes each
 *       (incompressible), in one turn; answers K.
 *   <li>{@code GET /read}: reads every stored entry (one {@code list}); answers {@code
 *       entries:bytes}. The first request after a cold start is what {@code activate} times.
 *   <li>{@code PUT /kv/{key}} with a body: writes it; answers 204. {@code GET /kv/{key}}: the
 *       value, or 404.
 * </ul>
 */
public final class StoreObject implements DurableObject {

  /** The namespace under which benchmark nodes serve this class. */
  public static final String NAMESPACE = "store";

  private static final int MAX_KEYS_PER_PUT = 128;

  private final DurableObjectState state;

  public StoreObject(DurableObjectState state, Env env) {
    this.state = state;
  }

  @Override
  public Response fetch(Request request) {
    String path = request.path();
    String method = request.method();
    if (path.equals("/fill") && method.equals("POST")) {
      return fill(request);
    }
    if (path.equals("/read") && method.equals("GET")) {
      Map<String, byte[]> all = state.storage().list(ListOptions.all(), byte[].class);
      long bytes = 0;
      for (byte[] value : all.values()) {
        bytes += value.length;
      }
      return Response.ok(all.size() + ":" + bytes);
    }
    if (path.startsWith("/kv/") && path.length() > 4) {
      String key = path.substring(4);
      return switch (method) {
        case "PUT" -> {
          state.storage().put(key, request.body());
          yield Response.empty(204);
        }
        case "GET" ->
            state
                .storage()
                .get(key, byte[].class)
                .map(v -> Response.builder(200).body(v).build())
                .orElseGet(() -> Response.text(404, "no key " + key));
        default -> Response.text(405, "use GET or PUT on /kv/{key}");
      };
    }
    return Response.text(404, "use POST /fill?keys=K&bytes=B, GET /read, GET or PUT /kv/{key}");
  }

  private Response fill(Request request) {
    int keys = queryInt(request, "keys", 10);
    int bytes = queryInt(request, "bytes", 100);
    Map<String, byte[]> chunk = new LinkedHashMap<>();
    for (int i = 0; i < keys; i++) {
      // Random bytes: RocksDB compresses blocks, and a repeated byte would make the bytes on disk
      // per object meaningless (215 per 1,000 B of values at 1 M objects).
      byte[] value = new byte[bytes];
      java.util.concurrent.ThreadLocalRandom.current().nextBytes(value);
      chunk.put(String.format("k%05d", i), value);
      if (chunk.size() == MAX_KEYS_PER_PUT || i == keys - 1) {
        state.storage().put(chunk);
        chunk = new LinkedHashMap<>();
      }
    }
    return Response.ok(Integer.toString(keys));
  }

  private static int queryInt(Request request, String name, int fallback) {
    for (String pair : request.query().orElse("").split("&")) {
      if (pair.startsWith(name + "=")) {
        return Integer.parseInt(pair.substring(name.length() + 1));
      }
    }
    return fallback;
  }
}
