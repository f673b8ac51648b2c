package dev.outpost.api;

import java.util.Objects;

/**
 * What a {@link ConnectGuard} decided: let the request through (maybe changed), or answer it
 * instead of the object. Immutable.
 */
public sealed interface Admission permits Admission.Admit, Admission.Refuse {

  /** Let {@code request} through to the next guard, then the object. */
  static Admission admit(Request request) {
    return new Admit(request);
  }

  /** Answer the client with {@code response} (any status but 101); the object never sees it. */
  static Admission refuse(Response response) {
    return new Refuse(response);
  }

  /** Answer with {@code status} and a plain-text body saying why (one line is best). */
  static Admission refuse(int status, String reason) {
    return new Refuse(Response.text(status, reason));
  }

  /**
   * The request goes on.
   *
   * @param request what the next guard and then the object get
   */
  record Admit(Request request) implements Admission {
    /** Checks the request is present. */
    public Admit {
      Objects.requireNonNull(request, "request");
    }
  }

  /**
   * The client gets {@code response}.
   *
   * @param response the answer; a 101 is refused (only the object accepts WebSockets)
   */
  record Refuse(Response response) implements Admission {
    /** Checks the response is present and not a WebSocket accept. */
    public Refuse {
      Objects.requireNonNull(response, "response");
      if (response.status() == 101) {
        throw new IllegalArgumentException(
            "a guard cannot accept a WebSocket (101); admit the request and let the object accept");
      }
    }
  }
}
