package dev.outpost.cli;

import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * The node's log format: {@code text} (the logging configuration's, one line per record) or {@code
 * json} ({@link JsonLogFormatter}, one JSON object per line), from {@code --log-format} or {@code
 * OUTPOST_LOG_FORMAT}.
 */
enum LogFormat {
  TEXT,
  JSON;

  /** Environment variable choosing the format when {@code --log-format} is not given. */
  static final String ENV = "OUTPOST_LOG_FORMAT";

  /**
   * {@code flag} if given, else {@code fromEnv}, else {@link #TEXT}.
   *
   * @throws CliException for any other name, naming the two
   */
  static LogFormat choose(String flag, String fromEnv) {
    String name = flag != null ? flag : fromEnv;
    if (name == null || name.isBlank()) {
      return TEXT;
    }
    try {
      return valueOf(name.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CliException(
          (flag != null ? "--log-format " : ENV + "=")
              + name
              + " is not a log format; use text or json");
    }
  }

  /**
   * Makes every handler of the root logger write this format (a console handler is added if there
   * is none); {@link #TEXT} leaves the configuration as it is.
   */
  void apply() {
    if (this == TEXT) {
      return;
    }
    Logger root = Logger.getLogger("");
    Formatter json = new JsonLogFormatter();
    Handler[] handlers = root.getHandlers();
    if (handlers.length == 0) {
      ConsoleHandler console = new ConsoleHandler();
      root.addHandler(console);
      handlers = new Handler[] {console};
    }
    for (Handler handler : handlers) {
      handler.setFormatter(json);
    }
  }
}
