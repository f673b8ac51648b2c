package dev.outpost.runtime.internal.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.Rpc;
import dev.outpost.api.RpcException;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Objects;
import java.util.function.Function;

/**
 * Makes the callers' proxies of {@code DurableObjectStub.rpc}: each call of an interface method is
 * written as a {@link RpcWire} request, sent by the given function (the stub's {@code fetch}), and
 * its answer read back as the method's return type.
 *
 * <p>Threads: proxies are thread-safe; a call blocks its thread for as long as {@code send} does.
 * One Jackson mapper per interface, kept on the interface ({@link ClassValue}).
 */
public final class RpcStubs {

  private static final ClassValue<ObjectMapper> MAPPERS =
      new ClassValue<>() {
        @Override
        protected ObjectMapper computeValue(Class<?> type) {
          return RpcWire.newMapper();
        }
      };

  private RpcStubs() {}

  /**
   * A proxy of {@code api} whose calls go through {@code send}.
   *
   * @param target names the object in {@code toString} and messages ({@code rooms/lobby})
   * @param maxArgumentsSize most bytes of one call's arguments as JSON; a larger call fails with an
   *     {@link RpcException} before it is sent
   * @throws IllegalArgumentException if {@code api} is not an interface
   */
  public static <T> T create(
      Class<T> api, String target, int maxArgumentsSize, Function<Request, Response> send) {
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(send, "send");
    if (!api.isInterface()) {
      throw new IllegalArgumentException(
          api.getName()
              + " is not an interface; typed calls need the interface the object implements");
    }
    if (!api.isAnnotationPresent(Rpc.class)) {
      throw new IllegalArgumentException(
          api.getName() + " is not annotated @Rpc; typed calls reach only @Rpc interfaces");
    }
    ObjectMapper mapper = MAPPERS.get(api);
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
              case "equals" -> proxy == args[0];
              case "hashCode" -> System.identityHashCode(proxy);
              default -> "rpc(" + api.getSimpleName() + ") of " + target;
            };
          }
          if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
          }
          return call(
              mapper,
              api,
              method,
              args == null ? new Object[0] : args,
              target,
              maxArgumentsSize,
              send);
        };
    return api.cast(Proxy.newProxyInstance(api.getClassLoader(), new Class<?>[] {api}, handler));
  }

  private static Object call(
      ObjectMapper mapper,
      Class<?> api,
      Method method,
      Object[] args,
      String target,
      int maxArgumentsSize,
      Function<Request, Response> send) {
    String label = api.getSimpleName() + "." + method.getName();
    byte[] body;
    try {
      ArrayNode array = mapper.createArrayNode();
      for (int i = 0; i < args.length; i++) {
        array.add(mapper.valueToTree(args[i]));
      }
      body = mapper.writeValueAsBytes(array);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw RpcException.invalidCall(
          "the arguments of " + label + " cannot be written as JSON: " + e.getMessage());
    }
    if (body.length > maxArgumentsSize) {
      throw RpcException.invalidCall(
          "the arguments of "
              + label
              + " to "
              + target
              + " are "
              + body.length
              + " bytes of JSON; the limit is "
              + maxArgumentsSize
              + " (outpost.websocket.max-message-size)");
    }
    Request request =
        Request.builder("POST", "/")
            .path("/")
            .header(RpcWire.METHOD_HEADER, method.getName())
            .header(RpcWire.INTERFACE_HEADER, api.getName())
            .header("Content-Type", "application/json")
            .body(body)
            .build();
    JsonNode result = RpcWire.read(mapper, label, send.apply(request));
    if (method.getReturnType() == void.class) {
      return null;
    }
    try {
      return mapper
          .readerFor(mapper.constructType(method.getGenericReturnType()))
          .readValue(result);
    } catch (IOException e) {
      throw RpcException.invalidCall(
          "the result of "
              + label
              + " from "
              + target
              + " is not a "
              + method.getGenericReturnType().getTypeName()
              + ": "
              + e.getMessage());
    }
  }
}
