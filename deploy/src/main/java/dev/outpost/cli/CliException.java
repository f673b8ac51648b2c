package dev.outpost.cli;

/**
 * A failure the user can act on. Its message is printed as is, as one line after {@code outpost
 * COMMAND: }; it says what was wrong and what to do ("cannot reach the router at
 * http://127.0.0.1:8081 (connection refused); start a node there or pass --router URL").
 */
final class CliException extends RuntimeException {
  CliException(String message) {
    super(message);
  }

  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
