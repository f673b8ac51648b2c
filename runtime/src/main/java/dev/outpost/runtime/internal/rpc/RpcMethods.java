package dev.outpost.runtime.internal.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.Rpc;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The methods of one object class that typed calls may run, and running them: the callee's side of
 * {@link RpcWire}.
 *
 * <p><b>What is callable.</b> The public, non-static methods of the interfaces the class (or a
 * superclass) implements, with their superinterfaces; never the class's other methods, never the
 * methods of {@code java.*}, {@code javax.*}, {@code jdk.*} or {@code dev.outpost.api.*} interfaces
 * ({@code DurableObject.fetch} stays the object's HTTP entry), and never a method with {@link
 * Object}'s signature ({@code equals}, {@code hashCode}, {@code toString}). A method is chosen by
 * name and argument count (and interface, if the call names one); two methods of the same name and
 * count are refused as ambiguous.
 *
 * <p><b>Threads.</b> {@link #of} and the tables are safe anywhere; {@link #invoke} runs on the
 * object's turn thread. One table per class, kept on the class itself ({@link ClassValue}), so a
 * code version's table and Jackson caches go with its class loader.
 *
 * <p><b>Failures.</b> A call that does not fit (unknown interface or method, wrong count, an
 * argument Jackson cannot read as the parameter's type, not a JSON array) is answered 400 without
 * running anything. An exception thrown by the method propagates from {@link #invoke} unchanged:
 * the turn runner decides what the failure means, as for {@code fetch}. A result that cannot be
 * written as JSON, or whose JSON is longer than the message limit, is answered as the method having
 * thrown.
 */
public final class RpcMethods {

  private static final ClassValue<RpcMethods> TABLES =
      new ClassValue<>() {
        @Override
        protected RpcMethods computeValue(Class<?> type) {
          return new RpcMethods(type);
        }
      };

  private final Class<?> type;
  private final Map<String, Class<?>> interfaces; // binary name → interface, callable; sorted
  private final Set<String> uncallable; // binary names of implemented interfaces not callable
  private final ObjectMapper mapper = RpcWire.newMapper();

  private RpcMethods(Class<?> type) {
    this.type = type;
    Set<Class<?>> all = new LinkedHashSet<>();
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      collect(c.getInterfaces(), all);
    }
    Map<String, Class<?>> callable = new LinkedHashMap<>();
    Set<String> framework = new TreeSet<>();
    for (Class<?> i : all) {
      if (isFramework(i) || !isMarked(i)) {
        framework.add(i.getName());
      } else {
        callable.put(i.getName(), i);
      }
    }
    this.interfaces = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(callable));
    this.uncallable = Set.copyOf(framework);
  }

  /** The callable methods of objects of {@code type}. */
  public static RpcMethods of(Class<?> type) {
    return TABLES.get(type);
  }

  private static void collect(Class<?>[] direct, Set<Class<?>> into) {
    for (Class<?> i : direct) {
      if (into.add(i)) {
        collect(i.getInterfaces(), into);
      }
    }
  }

  private static boolean isFramework(Class<?> iface) {
    String name = iface.getName();
    return name.startsWith("java.")
        || name.startsWith("javax.")
        || name.startsWith("jdk.")
        || name.startsWith("dev.outpost.api.");
  }

  /** A public interface annotated {@link Rpc}: only those are callable. */
  private static boolean isMarked(Class<?> iface) {
    return iface.isAnnotationPresent(Rpc.class) && Modifier.isPublic(iface.getModifiers());
  }

  private static boolean isObjectMethod(Method m) {
    try {
      Object.class.getMethod(m.getName(), m.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /** The binary names of the interfaces whose methods are callable, sorted. */
  public Set<String> interfaceNames() {
    return new TreeSet<>(interfaces.keySet());
  }

  /**
   * Runs the call {@code request} ({@link RpcWire#isCall}) on {@code instance}, on the turn's
   * thread.
   *
   * @param maxResultSize most bytes of the result's JSON; past it the answer is a failure
   * @return the answer: 200 with the result, 400 if the call did not fit, 500 if the result could
   *     not be sent
   * @throws Exception whatever the method threw, unchanged
   */
  public Response invoke(Object instance, Request request, int maxResultSize) throws Exception {
    if (!type.isInstance(instance)) {
      throw new IllegalArgumentException(instance.getClass() + " is not a " + type);
    }
    String name = request.header(RpcWire.METHOD_HEADER).orElseThrow();
    Optional<String> wanted = request.header(RpcWire.INTERFACE_HEADER);
    if (!request.method().equals("POST")) {
      return RpcWire.invalid(mapper, "a typed call is a POST, not a " + request.method());
    }
    Candidates from;
    if (wanted.isPresent()) {
      Class<?> iface = interfaces.get(wanted.get());
      if (iface == null) {
        return RpcWire.invalid(mapper, notImplemented(wanted.get()));
      }
      from = new Candidates(List.of(iface));
    } else {
      from = new Candidates(List.copyOf(interfaces.values()));
    }
    JsonNode args;
    try {
      byte[] body = request.body();
      args = body.length == 0 ? mapper.createArrayNode() : mapper.readTree(body);
    } catch (IOException e) {
      return RpcWire.invalid(mapper, "the body is not JSON: " + firstLine(e));
    }
    if (args == null || !args.isArray()) {
      return RpcWire.invalid(mapper, "the body must be a JSON array of the arguments");
    }
    List<Method> named = from.named(name);
    if (named.isEmpty()) {
      return RpcWire.invalid(
          mapper,
          "no method '" + name + "' in " + from.simpleNames() + "; callable: " + from.signatures());
    }
    List<Method> fitting =
        named.stream().filter(m -> m.getParameterCount() == args.size()).toList();
    if (fitting.isEmpty()) {
      return RpcWire.invalid(
          mapper,
          label(named.get(0))
              + " takes "
              + named.stream()
                  .map(m -> String.valueOf(m.getParameterCount()))
                  .distinct()
                  .collect(Collectors.joining(" or "))
              + " argument(s), not "
              + args.size());
    }
    if (fitting.stream().map(m -> Arrays.asList(m.getGenericParameterTypes())).distinct().count()
        > 1) {
      return RpcWire.invalid(
          mapper,
          label(fitting.get(0))
              + " is overloaded with "
              + args.size()
              + " parameter(s); typed calls need one method per name and argument count");
    }
    Method method = fitting.get(0);
    Object[] values = new Object[args.size()];
    java.lang.reflect.Type[] types = method.getGenericParameterTypes();
    for (int i = 0; i < values.length; i++) {
      try {
        values[i] = mapper.readerFor(mapper.constructType(types[i])).readValue(args.get(i));
      } catch (IOException e) {
        return RpcWire.invalid(
            mapper,
            "argument "
                + (i + 1)
                + " of "
                + label(method)
                + " is not a "
                + types[i].getTypeName()
                + ": "
                + firstLine(e));
      }
    }
    Object result;
    try {
      method.trySetAccessible(); // a public interface nested in a package-private class
      result = method.invoke(instance, values);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception exception) {
        throw exception;
      }
      throw (Error) cause;
    }
    byte[] json;
    try {
      json =
          mapper
              .writerFor(mapper.constructType(method.getGenericReturnType()))
              .writeValueAsBytes(result);
    } catch (JsonProcessingException e) {
      return RpcWire.threw(
          mapper,
          new IllegalStateException(
              "the result of " + label(method) + " cannot be written as JSON: " + firstLine(e)));
    }
    if (json.length > maxResultSize) {
      return RpcWire.threw(
          mapper,
          new IllegalStateException(
              "the result of "
                  + label(method)
                  + " is "
                  + json.length
                  + " bytes of JSON; the limit is "
                  + maxResultSize
                  + " (outpost.websocket.max-message-size)"));
    }
    return RpcWire.result(json);
  }

  /** The answer to a method that threw {@code thrown}: its class and message. */
  public Response threw(Throwable thrown) {
    return RpcWire.threw(mapper, thrown);
  }

  private String notImplemented(String iface) {
    if (uncallable.contains(iface)) {
      return iface
          + " is not callable by typed calls: only public interfaces annotated @Rpc are"
          + " (java.*, javax.*, jdk.* and dev.outpost.api.* interfaces never are)";
    }
    return "the object implements no interface "
        + iface
        + "; its callable interfaces: "
        + (interfaces.isEmpty() ? "none" : interfaceNames());
  }

  private static String label(Method m) {
    return m.getDeclaringClass().getSimpleName() + "." + m.getName();
  }

  private static String firstLine(Exception e) {
    String message =
        e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  /** The callable methods of some interfaces. */
  private record Candidates(List<Class<?>> interfaces) {

    List<Method> named(String name) {
      List<Method> found = new ArrayList<>();
      for (Class<?> i : interfaces) {
        for (Method m : i.getMethods()) {
          if (m.getName().equals(name) && callable(m) && !found.contains(m)) {
            found.add(m);
          }
        }
      }
      return found;
    }

    List<String> simpleNames() {
      return interfaces.stream().map(Class::getSimpleName).toList();
    }

    Set<String> signatures() {
      Set<String> out = new TreeSet<>();
      for (Class<?> i : interfaces) {
        for (Method m : i.getMethods()) {
          if (callable(m)) {
            out.add(m.getName() + "(" + m.getParameterCount() + ")");
          }
        }
      }
      return out;
    }

    private static boolean callable(Method m) {
      return !Modifier.isStatic(m.getModifiers())
          && !m.isSynthetic()
          && !isFramework(m.getDeclaringClass())
          && !isObjectMethod(m);
    }
  }
}
