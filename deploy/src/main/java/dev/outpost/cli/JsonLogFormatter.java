package dev.outpost.cli;

import dev.outpost.api.realtime.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Formats {@code java.util.logging} records as JSON, one object per line, for log collectors:
 * {@code {"time":"2030-01-01T00:00:00.123Z","level":"WARNING","logger":"dev.outpost...",
 * "thread":42,"message":"...","thrown":"java.io.IOException: ...\n\tat ..."}}. {@code time} is the
 * record's instant in UTC (ISO-8601); {@code thread} the id of the thread that logged (JUL records
 * carry no thread name); {@code message} has its parameters filled in; {@code thrown}, the stack
 * trace with its causes, is present only when the record has one. Line breaks inside values are
 * escaped, so a record is always exactly one line.
 *
 * <p>Chosen with {@code --log-format json} (or {@code OUTPOST_LOG_FORMAT=json}), or in a logging
 * configuration: {@code
 * java.util.logging.ConsoleHandler.formatter=dev.outpost.cli.JsonLogFormatter}. Stateless; any
 * thread.
 */
public final class JsonLogFormatter extends Formatter {

  /** Creates the formatter (JUL instantiates it by name, so it has a public constructor). */
  public JsonLogFormatter() {}

  @Override
  public String format(LogRecord record) {
    StringBuilder out = new StringBuilder(256);
    out.append("{\"time\":").append(Json.quote(record.getInstant().toString()));
    out.append(",\"level\":").append(Json.quote(record.getLevel().getName()));
    out.append(",\"logger\":")
        .append(Json.quote(record.getLoggerName() == null ? "" : record.getLoggerName()));
    out.append(",\"thread\":").append(record.getLongThreadID());
    out.append(",\"message\":").append(Json.quote(formatMessage(record)));
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      out.append(",\"thrown\":").append(Json.quote(trace.toString().stripTrailing()));
    }
    return out.append("}\n").toString();
  }
}
