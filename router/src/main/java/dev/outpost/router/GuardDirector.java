package dev.outpost.router;

import dev.outpost.api.Admission;
import dev.outpost.api.ConnectGuard;
import dev.outpost.api.Lobby;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.ConnectGuards;
import dev.outpost.runtime.ObjectInbox;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Applies a namespace's connect guards ({@link ConnectGuards}, declared in its bundle's manifest)
 * to one client request in the router of the node the client reached, before anything locates or
 * wakes the object: refused clients cost no placement, no activation, no storage read and no
 * node-link traffic.
 *
 * <p><b>Order.</b> The guards run one after the other, each getting the request the previous one
 * admitted; the first refusal answers the client. {@code jwt} is {@link JwtGuard}; a namespace that
 * lists it on a node without JWT keys is refused with 500 (it fails closed).
 *
 * <p><b>Threads and time.</b> {@link #admit} is called on an event loop and never blocks: a
 * namespace without guards is admitted at once (a completed future); otherwise the chain runs on
 * one task of the {@code executor} (virtual threads), and a Vert.x timer bounds it by {@link
 * AuthOptions#guardTimeout()}: past it the answer is 503 with {@code Retry-After} and the task is
 * interrupted. A guard that throws, or returns null, is answered 500 with an error id, logged with
 * the stack trace (a guard's request is never logged: it may carry a token).
 *
 * <p>The returned future never fails: every outcome is an {@link Admission}.
 */
final class GuardDirector {

  private static final System.Logger LOG = System.getLogger(GuardDirector.class.getName());

  private final Vertx vertx;
  private final ExecutorService executor;
  private final AuthOptions options;
  private final Optional<JwtGuard> jwt;

  GuardDirector(Vertx vertx, ExecutorService executor, AuthOptions options) {
    this.vertx = vertx;
    this.executor = executor;
    this.options = options;
    this.jwt = options.jwt().map(o -> new JwtGuard(vertx, o));
  }

  /**
   * Decides {@code request} to the object of {@code url} arriving over {@code transport}.
   *
   * @return the admitted request (maybe with headers the guards added) or the answer to give
   */
  CompletableFuture<Admission> admit(
      ObjectInbox inbox, ObjectUrl url, Request request, Lobby.Transport transport) {
    String namespace = url.address().namespace();
    ConnectGuards guards = inbox.guards(namespace);
    if (guards.isEmpty()) {
      return CompletableFuture.completedFuture(Admission.admit(request));
    }
    boolean needsJwt = guards.steps().stream().anyMatch(s -> s.name().equals(ConnectGuards.JWT));
    if (needsJwt && jwt.isEmpty()) {
      return CompletableFuture.completedFuture(
          Admission.refuse(
              500,
              "namespace '"
                  + namespace
                  + "' is guarded by jwt but this node has no JWT keys; start it with"
                  + " OUTPOST_JWT_SECRET, --jwt-secret-file or --jwt-public-key"));
    }
    Lobby lobby = new Lobby(namespace, url.address().id(), transport);
    CompletableFuture<Admission> result = new CompletableFuture<>();
    Future<?> task;
    try {
      task =
          executor.submit(
              () -> {
                try {
                  result.complete(run(guards, request, lobby));
                } catch (Throwable failure) {
                  result.complete(failed(namespace, failure));
                }
              });
    } catch (RejectedExecutionException stopping) {
      return CompletableFuture.completedFuture(
          Admission.refuse(
              Response.builder(503)
                  .header("Retry-After", "1")
                  .body("this node is stopping; retry, another router will answer\n")
                  .build()));
    }
    long timer =
        vertx.setTimer(
            options.guardTimeout().toMillis(),
            id -> {
              if (result.complete(timedOut(namespace))) {
                task.cancel(true);
              }
            });
    result.whenComplete((admission, error) -> vertx.cancelTimer(timer));
    return result;
  }

  private Admission run(ConnectGuards guards, Request request, Lobby lobby) throws Exception {
    Request current = request;
    for (ConnectGuards.Step step : guards.steps()) {
      ConnectGuard guard =
          switch (step) {
            case ConnectGuards.BuiltIn builtIn -> jwt.orElseThrow();
            case ConnectGuards.Custom custom -> custom.guard();
          };
      Admission admission =
          lobby.transport() == Lobby.Transport.HTTP
              ? guard.onBeforeRequest(current, lobby)
              : guard.onBeforeConnect(current, lobby);
      switch (admission) {
        case Admission.Refuse refuse -> {
          return refuse;
        }
        case Admission.Admit admit -> current = admit.request();
        case null ->
            throw new IllegalStateException(
                "guard " + step.name() + " returned null; return Admission.admit or refuse");
      }
    }
    return Admission.admit(current);
  }

  private Admission timedOut(String namespace) {
    return Admission.refuse(
        Response.builder(503)
            .header("Retry-After", "1")
            .header("Content-Type", "text/plain; charset=utf-8")
            .body(
                "the connect guards of namespace '"
                    + namespace
                    + "' did not decide within "
                    + options.guardTimeout().toMillis()
                    + " ms (outpost.auth.guard-timeout); retry shortly\n")
            .build());
  }

  private static Admission failed(String namespace, Throwable failure) {
    String errorId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    LOG.log(
        Level.ERROR,
        "a connect guard of namespace '" + namespace + "' failed (error id " + errorId + ")",
        failure);
    return Admission.refuse(
        500,
        "a connect guard of namespace '"
            + namespace
            + "' failed: "
            + failure.getClass().getSimpleName()
            + " (error id "
            + errorId
            + "; the node's log has the details)");
  }
}
