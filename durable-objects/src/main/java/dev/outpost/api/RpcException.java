package dev.outpost.api;

import java.util.Optional;

/**
 * The failure of a typed call ({@link DurableObjectStub#rpc(Class)}) that the object answered: its
 * method threw, or the call did not fit the object (no such interface, method, or arguments).
 *
 * <ul>
 *   <li>The method threw: {@link #remote()} is set, {@link #remoteClass()} is the thrown class's
 *       binary name (for example {@code java.lang.IllegalStateException}) and {@link
 *       #remoteMessage()} its message. Writes the turn made before it threw are kept, as for a
 *       {@code fetch} that throws, and the call fails only once they are durable.
 *   <li>The call did not fit (the object does not implement the interface, has no method of that
 *       name taking that many arguments, or an argument could not be read as the parameter's type):
 *       no flag is set, {@link #remoteClass()} is empty and the message says what was wrong. The
 *       object's code did not run.
 * </ul>
 *
 * <p>Failures that never reached the method (overloaded, unreachable, storage failed) are plain
 * {@link DurableObjectException}s with their flag.
 */
public final class RpcException extends DurableObjectException {

  private final String remoteClass; // null: the call did not fit, nothing threw
  private final String remoteMessage;

  private RpcException(String message, String remoteClass, String remoteMessage) {
    super(message, null, remoteClass != null, false, false);
    this.remoteClass = remoteClass;
    this.remoteMessage = remoteMessage;
  }

  /**
   * The method threw {@code remoteClass} with {@code remoteMessage} (empty when it had none);
   * {@code method} names it ({@code RoomApi.join}) in the message.
   */
  public static RpcException threw(String method, String remoteClass, String remoteMessage) {
    return new RpcException(
        method + " threw " + remoteClass + (remoteMessage.isEmpty() ? "" : ": " + remoteMessage),
        remoteClass,
        remoteMessage);
  }

  /** The call did not fit the object; {@code message} says why and what to do. */
  public static RpcException invalidCall(String message) {
    return new RpcException(message, null, message);
  }

  /** The binary name of the class the method threw; empty if the call did not fit. */
  public Optional<String> remoteClass() {
    return Optional.ofNullable(remoteClass);
  }

  /** The thrown exception's message (empty if it had none), or why the call did not fit. */
  public String remoteMessage() {
    return remoteMessage;
  }
}
