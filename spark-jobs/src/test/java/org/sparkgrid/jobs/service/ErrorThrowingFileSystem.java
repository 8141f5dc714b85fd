package org.sparkgrid.jobs.service;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under the scheme {@code errfs}, except that opening a file throws the
 * {@link Error} its authority names: a job whose data is {@code errfs://no-class-def/usr/share/...}
 * finds its files (the request's path check passes) and then gets a {@link NoClassDefFoundError}
 * when it reads them on the driver, as a job does whose jar was replaced under a running service.
 * Registered with {@code fs.errfs.impl} in the Spark context's Hadoop configuration.
 */
public final class ErrorThrowingFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "errfs";

  private URI uri = URI.create(SCHEME + ":///");

  @Override
  public void initialize(URI name, Configuration conf) throws IOException {
    super.initialize(name, conf);
    uri = URI.create(SCHEME + "://" + name.getAuthority() + "/");
  }

  @Override
  public URI getUri() {
    return uri == null ? URI.create(SCHEME + ":///") : uri; // null while RawLocalFileSystem's constructor runs
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) {
    throw switch (String.valueOf(uri.getAuthority())) {
      case "no-class-def" -> new NoClassDefFoundError("org/sparkgrid/jobs/data/Gone (thrown by the test file system)");
      case "stack-overflow" -> new StackOverflowError("thrown by the test file system");
      case "out-of-memory" -> new OutOfMemoryError("Java heap space (thrown by the test file system)");
      default -> new AssertionError("no error named " + uri.getAuthority());
    };
  }
}
