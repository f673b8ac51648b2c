package dev.outpost.samples.diary;

import dev.outpost.api.Admission;
import dev.outpost.api.ConnectGuard;
import dev.outpost.api.Lobby;
import dev.outpost.api.Request;

/**
 * Runs after the router's {@code jwt} guard ({@code namespace.diary.guard=jwt,...OwnerOnly}): a
 * diary addressed by name admits only the token's subject ({@link ConnectGuard#SUBJECT_HEADER}),
 * and one addressed by id nobody (its owner is unknown until it wakes). Refusals are 403 saying
 * whose diary it is not. Stateless, so safe on the router's many threads at once.
 */
public final class OwnerOnly implements ConnectGuard {

  @Override
  public Admission onBeforeConnect(Request request, Lobby lobby) {
    return decide(request, lobby);
  }

  @Override
  public Admission onBeforeRequest(Request request, Lobby lobby) {
    return decide(request, lobby);
  }

  private static Admission decide(Request request, Lobby lobby) {
    String subject = request.header(SUBJECT_HEADER).orElse("");
    if (lobby.name().isEmpty()) {
      return Admission.refuse(403, "a diary is opened by its owner's name, not by id");
    }
    if (subject.isEmpty() || !lobby.name().get().equals(subject)) {
      return Admission.refuse(
          403,
          "diary '"
              + lobby.name().get()
              + "' belongs to its owner; your token's subject is '"
              + subject
              + "'");
    }
    return Admission.admit(request);
  }
}
