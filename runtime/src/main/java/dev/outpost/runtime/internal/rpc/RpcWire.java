package dev.outpost.runtime.internal.rpc;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.outpost.api.DurableObjectException;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.RpcException;
import java.io.IOException;

/**
 * The wire form of a typed call, the same between objects, from the Java client and from the JS
 * client (documented in the README, "Typed RPC"):
 *
 * <pre>
 * request   POST, header X-Outpost-Rpc: METHOD [, X-Outpost-Rpc-Interface: BINARY NAME],
 *           body: a JSON array of the arguments (empty body: no arguments)
 * response  200 {"result": VALUE}                          the method returned (null for void)
 *           500 {"threw": "CLASS", "message": "TEXT"}      the method threw
 *           400 {"invalid": "WHY"}                          the call did not fit; nothing ran
 * </pre>
 *
 * <p>Any other response (a router's 404, 413 or 503) is not an RPC answer and is reported by its
 * status. Thread-safe; stateless.
 */
public final class RpcWire {

  /** Marks a request as a typed call and names the method. */
  public static final String METHOD_HEADER = "X-Outpost-Rpc";

  /** Optionally names the interface (binary name) the method must come from. */
  public static final String INTERFACE_HEADER = "X-Outpost-Rpc-Interface";

  private static final String JSON = "application/json";

  private RpcWire() {}

  /** Whether {@code request} is a typed call rather than a request for the object's fetch. */
  public static boolean isCall(Request request) {
    return request.header(METHOD_HEADER).isPresent();
  }

  /**
   * A mapper for one class loader's types: strict (no number from a string, no null for a
   * primitive). One per interface or object class, so that no mapper outlives a code version.
   */
  static ObjectMapper newMapper() {
    return JsonMapper.builder()
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .withCoercionConfig(
            LogicalType.Textual,
            config ->
                config
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .build();
  }

  /** The answer for a method that returned {@code json}, the result's JSON. */
  static Response result(byte[] json) {
    byte[] head = "{\"result\":".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] body = new byte[head.length + json.length + 1];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(json, 0, body, head.length, json.length);
    body[body.length - 1] = '}';
    return Response.builder(200).header("Content-Type", JSON).body(body).build();
  }

  /** The answer for a method that threw {@code thrown}. */
  static Response threw(ObjectMapper mapper, Throwable thrown) {
    ObjectNode body = mapper.createObjectNode();
    if (thrown instanceof RpcException rpc && rpc.remoteClass().isPresent()) {
      body.put("threw", rpc.remoteClass().get()); // a nested call's: pass it on
      body.put("message", rpc.remoteMessage());
    } else {
      body.put("threw", thrown.getClass().getName());
      body.put("message", thrown.getMessage() == null ? "" : thrown.getMessage());
    }
    return Response.json(500, body.toString());
  }

  /** The answer for a call that did not fit the object. */
  static Response invalid(ObjectMapper mapper, String why) {
    ObjectNode body = mapper.createObjectNode();
    body.put("invalid", why);
    return Response.json(400, body.toString());
  }

  /**
   * Reads an answer: the result node on 200, otherwise throws what the answer says.
   *
   * @param method {@code RoomApi.join}, for messages
   * @throws RpcException if the method threw or the call did not fit
   * @throws DurableObjectException for any response that is not an RPC answer
   */
  static JsonNode read(ObjectMapper mapper, String method, Response response) {
    JsonNode body;
    try {
      body = mapper.readTree(response.body());
    } catch (IOException e) {
      body = null;
    }
    if (body != null && body.isObject()) {
      if (response.status() == 200 && body.has("result")) {
        return body.get("result");
      }
      if (body.hasNonNull("threw")) {
        throw RpcException.threw(
            method, body.get("threw").asText(), body.path("message").asText(""));
      }
      if (body.hasNonNull("invalid")) {
        throw RpcException.invalidCall(method + ": " + body.get("invalid").asText());
      }
    }
    String text = response.bodyText();
    String excerpt = text.length() > 200 ? text.substring(0, 200) + "..." : text;
    String message =
        method + " was answered " + response.status() + ", not an RPC answer: " + excerpt;
    if (response.status() == 503) {
      throw DurableObjectException.retryable(message);
    }
    throw DurableObjectException.invalid(message);
  }
}
