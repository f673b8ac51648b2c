package dev.outpost.api;

import java.util.Optional;

/**
 * Selects a range of keys for {@link DurableObjectStorage#list(ListOptions, Class)}. Keys are
 * ordered by their UTF-8 bytes, unsigned. Immutable; build with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code start}: first key, inclusive; {@code startAfter}: exclusive. Not both.
 *   <li>{@code end}: exclusive upper bound.
 *   <li>{@code prefix}: only keys starting with it.
 *   <li>{@code reverse}: descending order; it does not change what start and end mean.
 *   <li>{@code limit}: at most this many entries, counted after the range is applied.
 * </ul>
 */
public final class ListOptions {

  private static final ListOptions ALL = builder().build();

  private final String start;
  private final String startAfter;
  private final String end;
  private final String prefix;
  private final boolean reverse;
  private final int limit; // 0: no limit

  private ListOptions(Builder b) {
    if (b.start != null && b.startAfter != null) {
      throw new IllegalArgumentException("list: start and startAfter cannot both be set");
    }
    if (b.limit < 0) {
      throw new IllegalArgumentException("list: limit must be positive, was " + b.limit);
    }
    this.start = b.start;
    this.startAfter = b.startAfter;
    this.end = b.end;
    this.prefix = b.prefix;
    this.reverse = b.reverse;
    this.limit = b.limit;
  }

  /** Every key, ascending. */
  public static ListOptions all() {
    return ALL;
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Inclusive start. */
  public Optional<String> start() {
    return Optional.ofNullable(start);
  }

  /** Exclusive start. */
  public Optional<String> startAfter() {
    return Optional.ofNullable(startAfter);
  }

  /** Exclusive end. */
  public Optional<String> end() {
    return Optional.ofNullable(end);
  }

  /** Required key prefix. */
  public Optional<String> prefix() {
    return Optional.ofNullable(prefix);
  }

  /** Whether keys come in descending order. */
  public boolean reverse() {
    return reverse;
  }

  /** The most entries to return, if limited. */
  public Optional<Integer> limit() {
    return limit == 0 ? Optional.empty() : Optional.of(limit);
  }

  /** Builds {@link ListOptions}. */
  public static final class Builder {
    private String start;
    private String startAfter;
    private String end;
    private String prefix;
    private boolean reverse;
    private int limit;

    private Builder() {}

    /** Inclusive start key. */
    public Builder start(String start) {
      this.start = start;
      return this;
    }

    /** Exclusive start key. */
    public Builder startAfter(String startAfter) {
      this.startAfter = startAfter;
      return this;
    }

    /** Exclusive end key. */
    public Builder end(String end) {
      this.end = end;
      return this;
    }

    /** Key prefix. */
    public Builder prefix(String prefix) {
      this.prefix = prefix;
      return this;
    }

    /** Descending order. */
    public Builder reverse(boolean reverse) {
      this.reverse = reverse;
      return this;
    }

    /** At most this many entries (must be positive). */
    public Builder limit(int limit) {
      if (limit <= 0) {
        throw new IllegalArgumentException("list: limit must be positive, was " + limit);
      }
      this.limit = limit;
      return this;
    }

    /** Builds the options. */
    public ListOptions build() {
      return new ListOptions(this);
    }
  }
}
