package dev.outpost.runtime;

import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.runtime.spi.StoredAlarm;
import dev.outpost.runtime.spi.WriteBatch;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-memory engine that records every committed batch and can hold commits at a barrier, so
 * tests can observe what waits for durability.
 */
final class GatedEngine implements StorageEngine {

  private final StorageEngine delegate = StorageEngines.inMemory();
  final List<WriteBatch> commits = new CopyOnWriteArrayList<>();
  private final AtomicReference<CountDownLatch> barrier = new AtomicReference<>();
  private final AtomicReference<CountDownLatch> arrived = new AtomicReference<>();
  private volatile int failuresLeft;

  /** Holds every commit until {@link #release()}; returns a latch counted down on arrival. */
  CountDownLatch holdCommits() {
    barrier.set(new CountDownLatch(1));
    CountDownLatch arrival = new CountDownLatch(1);
    arrived.set(arrival);
    return arrival;
  }

  void release() {
    CountDownLatch b = barrier.getAndSet(null);
    if (b != null) {
      b.countDown();
    }
  }

  void failNextCommits(int n) {
    failuresLeft = n;
  }

  @Override
  public Optional<byte[]> get(dev.outpost.runtime.ObjectAddress object, byte[] key) {
    return delegate.get(object, key);
  }

  @Override
  public void scan(
      dev.outpost.runtime.ObjectAddress object,
      byte[] from,
      byte[] to,
      boolean reverse,
      EntryVisitor visitor) {
    delegate.scan(object, from, to, reverse, visitor);
  }

  @Override
  public Optional<StoredAlarm> alarm(dev.outpost.runtime.ObjectAddress object) {
    return delegate.alarm(object);
  }

  @Override
  public List<dev.outpost.runtime.ObjectAddress> objects() {
    return delegate.objects();
  }

  @Override
  public List<StoredAlarm> alarms() {
    return delegate.alarms();
  }

  @Override
  public void commit(dev.outpost.runtime.ObjectAddress object, WriteBatch batch) {
    CountDownLatch arrival = arrived.getAndSet(null);
    if (arrival != null) {
      arrival.countDown();
    }
    CountDownLatch b = barrier.get();
    if (b != null) {
      try {
        if (!b.await(10, TimeUnit.SECONDS)) {
          throw new AssertionError("commit held for more than 10 s");
        }
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    if (failuresLeft > 0) {
      failuresLeft--;
      throw new dev.outpost.runtime.spi.StorageException("injected commit failure");
    }
    delegate.commit(object, batch);
    commits.add(batch);
  }

  @Override
  public long epoch(dev.outpost.runtime.ObjectAddress object) {
    return delegate.epoch(object);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
