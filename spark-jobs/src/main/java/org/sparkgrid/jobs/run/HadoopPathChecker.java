package org.sparkgrid.jobs.run;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sparkgrid.core.request.RequestCodec;

/** Answers the request codec's "does this path exist" through the Hadoop FileSystem API. */
public final class HadoopPathChecker implements RequestCodec.PathChecker {
  private final Configuration conf;

  public HadoopPathChecker(Configuration conf) {
    this.conf = conf;
  }

  @Override
  public boolean exists(String path) throws IOException {
    Path p = new Path(path);
    return p.getFileSystem(conf).exists(p);
  }
}
