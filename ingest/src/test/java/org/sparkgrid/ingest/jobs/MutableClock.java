package org.sparkgrid.ingest.jobs;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves by hand; shared by the stores of one test, as one wall clock would be. */
final class MutableClock extends Clock {
  private volatile Instant now;

  MutableClock(Instant start) {
    now = start;
  }

  void advance(long millis) {
    now = now.plusMillis(millis);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneOffset getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
