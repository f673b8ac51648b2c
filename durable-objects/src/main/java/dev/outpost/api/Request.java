package dev.outpost.api;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An HTTP request delivered to {@link DurableObject#fetch(Request)}, or sent through a {@link
 * DurableObjectStub}. Immutable; header names are case-insensitive.
 *
 * <p>{@link #url()} is the URL as the client sent it ({@code /objects/chat/lobby/history?n=10});
 * {@link #path()} is the part after the object's address ({@code /history}, or {@code /} when there
 * is none).
 */
public final class Request {

  private final String method;
  private final String url;
  private final String path;
  private final Map<String, List<String>> headers;
  private final byte[] body;

  private Request(Builder builder) {
    this.method = builder.method.toUpperCase(Locale.ROOT);
    this.url = builder.url;
    this.path = builder.path != null ? builder.path : URI.create(builder.url).getRawPath();
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    builder.headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
    this.headers = Collections.unmodifiableMap(copy);
    this.body = builder.body;
  }

  /** Starts a request with the given method ({@code GET}, {@code POST}, ...) and URL. */
  public static Builder builder(String method, String url) {
    return new Builder(method, url);
  }

  /** A GET request for {@code url} with no body. */
  public static Request get(String url) {
    return builder("GET", url).build();
  }

  /** The method, upper case. */
  public String method() {
    return method;
  }

  /** The URL as sent: path and query. */
  public String url() {
    return url;
  }

  /** The path below the object's address; {@code "/"} when the request named only the object. */
  public String path() {
    return path;
  }

  /** The raw query string (without {@code ?}), if any. */
  public Optional<String> query() {
    int mark = url.indexOf('?');
    return mark < 0 ? Optional.empty() : Optional.of(url.substring(mark + 1));
  }

  /** Every header, by case-insensitive name; an unmodifiable view. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The first value of a header, if present. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * The first value of query parameter {@code name}, percent-decoded as a form value ({@code +} is
   * a space), if the URL has it; {@code ?flag} gives an empty string.
   */
  public Optional<String> queryParam(String name) {
    Objects.requireNonNull(name, "name");
    Optional<String> query = query();
    if (query.isEmpty()) {
      return Optional.empty();
    }
    for (String pair : query.get().split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      try {
        if (java.net.URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
          return Optional.of(
              eq < 0
                  ? ""
                  : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      } catch (IllegalArgumentException malformed) {
        // a malformed escape in another parameter: skip it
      }
    }
    return Optional.empty();
  }

  /**
   * The value of cookie {@code name} from the {@code Cookie} headers (RFC 6265 §5.4), if present;
   * surrounding double quotes are removed, nothing is decoded.
   */
  public Optional<String> cookie(String name) {
    Objects.requireNonNull(name, "name");
    for (String header : headers.getOrDefault("Cookie", List.of())) {
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).strip().equals(name)) {
          String value = pair.substring(eq + 1).strip();
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          return Optional.of(value);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * This request with header {@code name} set to {@code value} alone (replacing any values it had);
   * method, URL, path and body unchanged. How a {@link ConnectGuard} passes what it verified on.
   */
  public Request withHeader(String name, String value) {
    Builder builder = builder(method, url).path(path);
    builder.body = body; // immutable once built; no copy needed
    headers.forEach(
        (n, values) -> {
          if (!n.equalsIgnoreCase(name)) {
            values.forEach(v -> builder.header(n, v));
          }
        });
    return builder.header(name, value).build();
  }

  /** A copy of the body; empty when there is none. */
  public byte[] body() {
    return body.clone();
  }

  /** The body decoded as UTF-8. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Whether this request asks to open a WebSocket ({@code Upgrade: websocket}). */
  public boolean isWebSocketUpgrade() {
    return header("Upgrade").map(v -> v.equalsIgnoreCase("websocket")).orElse(false);
  }

  @Override
  public String toString() {
    return method + " " + url;
  }

  /** Builds a {@link Request}. Not thread-safe. */
  public static final class Builder {
    private final String method;
    private final String url;
    private String path;
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private byte[] body = new byte[0];

    private Builder(String method, String url) {
      this.method = Objects.requireNonNull(method, "method");
      this.url = Objects.requireNonNull(url, "url");
    }

    /** Sets the path below the object's address; defaults to the URL's path. */
    public Builder path(String path) {
      this.path = Objects.requireNonNull(path, "path");
      return this;
    }

    /** Adds a header value. */
    public Builder header(String name, String value) {
      headers
          .computeIfAbsent(Objects.requireNonNull(name, "name"), n -> new ArrayList<>())
          .add(Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Sets the body (copied). */
    public Builder body(byte[] body) {
      this.body = Objects.requireNonNull(body, "body").clone();
      return this;
    }

    /** Sets the body to the UTF-8 encoding of {@code text}. */
    public Builder body(String text) {
      this.body = Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8);
      return this;
    }

    /** Builds the request. */
    public Request build() {
      return new Request(this);
    }
  }
}
