package dev.outpost.testkit;

import io.vertx.core.MultiMap;
import java.util.Objects;

/**
 * A complete HTTP response as a test sees it.
 *
 * @param status the status code
 * @param headers the response headers (case-insensitive names)
 * @param body the body decoded as UTF-8
 */
public record HttpResult(int status, MultiMap headers, String body) {

  /** Checks the fields. */
  public HttpResult {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
  }

  /** The first value of header {@code name}, or null. */
  public String header(String name) {
    return headers.get(name);
  }

  @Override
  public String toString() {
    return status + " " + body.strip();
  }
}
