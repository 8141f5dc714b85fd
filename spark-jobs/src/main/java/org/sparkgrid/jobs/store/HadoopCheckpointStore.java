package org.sparkgrid.jobs.store;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkgrid.core.store.ArtifactWriter;
import org.sparkgrid.core.store.CheckpointStore;
import org.sparkgrid.core.store.StoreNames;

/**
 * A {@link CheckpointStore} on any Hadoop file system. A save writes
 * {@code <root>/runs/<job>/checkpoints/_tmp-<uuid>/} and renames it to the step number; a run
 * file is written beside its target as {@code _tmp-<uuid>-<file>} and renamed over it.
 *
 * <pre>{@code
 * CheckpointStore checkpoints = new HadoopCheckpointStore("hdfs://nn:8020/sparkgrid", new Configuration());
 * checkpoints.putRunFile(jobId, "request.json", ArtifactWriter.ofUtf8(requestJson));
 * checkpoints.save(jobId, step, Map.of("params.bin", out -> out.write(params)));
 * checkpoints.prune(jobId, 3);
 * }</pre>
 */
public final class HadoopCheckpointStore implements CheckpointStore {

  /** Directory under the root that holds one directory per job. */
  public static final String RUNS_DIR = "runs";

  private static final Logger LOG = LoggerFactory.getLogger(HadoopCheckpointStore.class);
  private static final Pattern STEP_DIR = Pattern.compile("0|[1-9][0-9]{0,17}");

  private final StoreFileSystem sfs;

  /**
   * @param rootUri the store root, e.g. {@code hdfs://nn:8020/sparkgrid} or {@code file:/home/me/.sparkgrid/store}
   * @param conf    the Hadoop configuration that reaches it
   * @throws UncheckedIOException if no file system serves {@code rootUri}
   */
  public HadoopCheckpointStore(String rootUri, Configuration conf) {
    this.sfs = new StoreFileSystem(rootUri, conf);
  }

  /** The qualified root URI. */
  public String rootUri() {
    return sfs.root().toString();
  }

  @Override
  public void save(String jobId, long step, Map<String, ArtifactWriter> files) {
    StoreNames.requireJobId(jobId);
    Objects.requireNonNull(files, "files");
    if (step < 0) {
      throw new IllegalArgumentException("checkpoint step of job '" + jobId + "' must be >= 0. Current value is " + step);
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("checkpoint " + jobId + "/" + step + " must have at least one file");
    }
    files.keySet().forEach(StoreNames::requireFileName);

    Path stepDir = stepDir(jobId, step);
    Path tmp = StoreFileSystem.tmpPath(checkpointsDir(jobId), "");
    boolean renamed = false;
    try {
      if (sfs.exists(stepDir)) {
        throw alreadySaved(jobId, step);
      }
      for (Map.Entry<String, ArtifactWriter> file : files.entrySet()) {
        sfs.write(new Path(tmp, file.getKey()), file.getValue());
      }
      if (!sfs.renameNoReplace(tmp, stepDir)) {
        throw alreadySaved(jobId, step);
      }
      renamed = true;
      LOG.debug("saved checkpoint {}/{} at {}", jobId, step, stepDir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not save checkpoint " + jobId + "/" + step + " at " + stepDir + ": "
          + e.getMessage(), e);
    } finally {
      if (!renamed) {
        sfs.deleteQuietly(tmp);
      }
    }
  }

  @Override
  public OptionalLong latest(String jobId) {
    List<Long> steps = steps(jobId);
    return steps.isEmpty() ? OptionalLong.empty() : OptionalLong.of(steps.get(steps.size() - 1));
  }

  @Override
  public List<Long> steps(String jobId) {
    StoreNames.requireJobId(jobId);
    try {
      List<Long> steps = new ArrayList<>();
      for (String dir : sfs.listDirectories(checkpointsDir(jobId))) {
        if (STEP_DIR.matcher(dir).matches()) {
          steps.add(Long.parseLong(dir));
        }
      }
      steps.sort(null);
      return steps;
    } catch (IOException e) {
      throw new UncheckedIOException("could not list checkpoints of job '" + jobId + "': " + e.getMessage(), e);
    }
  }

  @Override
  public InputStream open(String jobId, long step, String file) {
    StoreNames.requireJobId(jobId);
    StoreNames.requireFileName(file);
    Path stepDir = stepDir(jobId, step);
    try {
      return sfs.open(new Path(stepDir, file));
    } catch (FileNotFoundException e) {
      throw new NoSuchElementException(missing(jobId, step, file, stepDir));
    } catch (IOException e) {
      throw new UncheckedIOException("could not open " + new Path(stepDir, file) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void prune(String jobId, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("checkpoints to keep must be >= 1. Current value is " + keep);
    }
    List<Long> steps = steps(jobId);
    for (long step : steps.subList(0, Math.max(0, steps.size() - keep))) {
      try {
        sfs.delete(stepDir(jobId, step));
      } catch (IOException e) {
        throw new UncheckedIOException("could not delete checkpoint " + jobId + "/" + step + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public void putRunFile(String jobId, String file, ArtifactWriter writer) {
    Path target = runFile(jobId, file);
    Objects.requireNonNull(writer, "writer");
    Path tmp = StoreFileSystem.tmpPath(target.getParent(), "-" + file);
    boolean renamed = false;
    try {
      sfs.write(tmp, writer);
      sfs.renameReplace(tmp, target);
      renamed = true;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + target + ": " + e.getMessage(), e);
    } finally {
      if (!renamed) {
        sfs.deleteQuietly(tmp);
      }
    }
  }

  @Override
  public Optional<InputStream> openRunFile(String jobId, String file) {
    Path target = runFile(jobId, file);
    try {
      return sfs.openIfExists(target);
    } catch (IOException e) {
      throw new UncheckedIOException("could not open " + target + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> jobs() {
    try {
      List<String> jobs = new ArrayList<>();
      for (String dir : sfs.listDirectories(new Path(sfs.root(), RUNS_DIR))) {
        if (StoreNames.JOB_ID.matcher(dir).matches()) {
          jobs.add(dir);
        }
      }
      return jobs;
    } catch (IOException e) {
      throw new UncheckedIOException("could not list jobs under " + sfs.root() + ": " + e.getMessage(), e);
    }
  }

  private IllegalStateException alreadySaved(String jobId, long step) {
    return new IllegalStateException("checkpoint " + jobId + "/" + step + " is already saved; steps are written once");
  }

  private String missing(String jobId, long step, String file, Path stepDir) {
    try {
      if (!sfs.exists(stepDir)) {
        return "job '" + jobId + "' has no checkpoint at step " + step + " (steps: " + steps(jobId) + ")";
      }
      return "checkpoint " + jobId + "/" + step + " has no file '" + file + "' (files: " + sfs.listFiles(stepDir) + ")";
    } catch (IOException | UncheckedIOException e) {
      return "checkpoint " + jobId + "/" + step + " has no file '" + file + "'";
    }
  }

  private Path runFile(String jobId, String file) {
    StoreNames.requireJobId(jobId);
    StoreNames.requireFileName(file);
    if (file.equals(CHECKPOINTS_DIR)) {
      throw new IllegalArgumentException("run file name '" + file + "' is reserved for the checkpoints directory");
    }
    return new Path(runDir(jobId), file);
  }

  private Path runDir(String jobId) {
    return new Path(new Path(sfs.root(), RUNS_DIR), jobId);
  }

  private Path checkpointsDir(String jobId) {
    return new Path(runDir(jobId), CHECKPOINTS_DIR);
  }

  private Path stepDir(String jobId, long step) {
    return new Path(checkpointsDir(jobId), Long.toString(step));
  }
}
