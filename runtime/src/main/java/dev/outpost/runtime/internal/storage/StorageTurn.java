package dev.outpost.runtime.internal.storage;

import java.util.List;

/** What {@link ObjectStorage} needs from the turn that is running: its layers, and sync. */
public interface StorageTurn {

  /** The turn's write layers, bottom (the turn itself) first; transactions push and pop. */
  List<WriteLayer> layers();

  /** Makes every write so far durable, the running turn's included, before returning. */
  void sync();
}
