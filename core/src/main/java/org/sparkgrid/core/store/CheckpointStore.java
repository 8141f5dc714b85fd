package org.sparkgrid.core.store;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Resumable state of running jobs, and small per-job files such as the request. Layout:
 *
 * <pre>
 * &lt;root&gt;/runs/&lt;job&gt;/request.json                  run files ({@link #putRunFile})
 * &lt;root&gt;/runs/&lt;job&gt;/checkpoints/&lt;step&gt;/&lt;file&gt;     one directory per checkpoint
 * </pre>
 *
 * <p>A checkpoint appears whole or not at all: a store writes it to a temporary directory and
 * renames it into place, so {@link #latest} never names a half-written one.
 *
 * <pre>{@code
 * CheckpointStore checkpoints = new HadoopCheckpointStore("file:/var/sparkgrid/store", new Configuration());
 * checkpoints.save(jobId, 120, Map.of(
 *     "params.bin", out -> out.write(params),
 *     "round.json", ArtifactWriter.ofUtf8(roundStateJson)));
 * checkpoints.prune(jobId, 3);
 * OptionalLong resumeFrom = checkpoints.latest(jobId);
 * }</pre>
 *
 * <p>Every method throws {@link UncheckedIOException} when the underlying file system fails, and
 * {@link IllegalArgumentException} for a job id or file name that is not valid (see
 * {@link StoreNames}). Implementations must pass the {@code CheckpointStoreContract} tests.
 */
public interface CheckpointStore {

  /** The directory under a job's run directory that holds its checkpoints; not a valid run file name. */
  String CHECKPOINTS_DIR = "checkpoints";

  /**
   * Saves the checkpoint of {@code jobId} at {@code step}: one file per entry of {@code files}.
   * If a writer fails, nothing is saved.
   *
   * @throws IllegalArgumentException if {@code step < 0} or {@code files} is empty
   * @throws IllegalStateException    if that step is already saved
   * @throws UncheckedIOException     if a writer or the file system fails
   */
  void save(String jobId, long step, Map<String, ArtifactWriter> files);

  /** The highest saved step of {@code jobId}; empty if it has none. */
  OptionalLong latest(String jobId);

  /** The saved steps of {@code jobId}, ascending; empty if it has none. */
  List<Long> steps(String jobId);

  /**
   * Opens one file of a checkpoint. The caller closes the stream.
   *
   * @throws NoSuchElementException if the checkpoint or the file does not exist
   */
  InputStream open(String jobId, long step, String file);

  /**
   * Deletes all checkpoints of {@code jobId} but the newest {@code keep}.
   *
   * @throws IllegalArgumentException if {@code keep < 1}
   */
  void prune(String jobId, int keep);

  /**
   * Writes {@code <root>/runs/<jobId>/<file>}, replacing it atomically if it exists.
   *
   * @throws IllegalArgumentException if {@code file} is {@link #CHECKPOINTS_DIR}
   * @throws UncheckedIOException     if the writer or the file system fails; the old content then stays
   */
  void putRunFile(String jobId, String file, ArtifactWriter writer);

  /** Opens {@code <root>/runs/<jobId>/<file>}; empty if it does not exist. The caller closes the stream. */
  Optional<InputStream> openRunFile(String jobId, String file);

  /** The ids of the jobs that have a run directory, sorted. */
  List<String> jobs();
}
