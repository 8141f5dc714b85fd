package org.sparkgrid.jobs.report;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.run.JobResult;
import org.sparkgrid.core.run.Lineage;
import org.sparkgrid.core.run.RunMetrics;
import org.sparkgrid.core.store.CheckpointStore;
import org.sparkgrid.core.store.ModelRef;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.core.store.ModelVersion;
import org.sparkgrid.core.store.StoreJson;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.jobs.JobStoreException;
import org.sparkgrid.jobs.modes.RunModes;
import org.sparkgrid.jobs.run.JobRuns;
import org.sparkgrid.jobs.run.RunMode;
import org.sparkgrid.jobs.run.RunSoFar;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;

/**
 * Writes a job's HTML report ({@link ReportPage}) from what SparkGrid recorded about it.
 *
 * <p>How a job is found, in order:
 * <ol>
 *   <li>the service's job store (when {@code spark.sparkgrid.jobs.jdbcUrl} is set or the embedded
 *       one exists under the home): a succeeded job's result names its model and version;
 *   <li>the model store: the version whose {@code lineage.json} has {@code "job": JOB}, looked for
 *       first among the versions of the model the job's recorded request names
 *       ({@code runs/JOB/request.json}), then among all other models; the newest such version wins;
 *   <li>the job's run files alone, for a job that has not registered a model (still running,
 *       failed or killed): the figures of its latest checkpoint, marked as such on the page.
 * </ol>
 *
 * <pre>{@code
 * SparkGridConfig config = SparkGridConfig.from(Map.of());
 * Path page = JobReport.write("fmnist-cnn-0001", config, new Configuration(), JobReport.defaultPath(config, "fmnist-cnn-0001"));
 * }</pre>
 */
public final class JobReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  private final ModelStore models;
  private final CheckpointStore checkpoints;
  private final String storeRoot;
  private final JobStore jobs;
  private final String jobsWhere;

  /**
   * @param models      the model store
   * @param checkpoints the run files and checkpoints (same root)
   * @param storeRoot   the stores' root, for messages
   * @param jobs        the service's job store; {@code null} if there is none
   * @param jobsWhere   where the job store is (or would be), for messages
   */
  public JobReport(ModelStore models, CheckpointStore checkpoints, String storeRoot, JobStore jobs, String jobsWhere) {
    this.models = models;
    this.checkpoints = checkpoints;
    this.storeRoot = storeRoot;
    this.jobs = jobs;
    this.jobsWhere = jobsWhere;
  }

  /** {@code <home>/reports/report-<job>.html}. */
  public static Path defaultPath(SparkGridConfig config, String jobId) {
    return Path.of(config.home(), "reports", "report-" + jobId + ".html");
  }

  /**
   * Finds the job in the stores that {@code config} names and writes its report to {@code out}
   * (into {@code out/report-<job>.html} if {@code out} is a directory), replacing any earlier one.
   *
   * @return the file written
   * @throws NoSuchElementException if no store knows the job; the message names the job and where it looked
   * @throws IOException if the page cannot be written
   */
  public static Path write(String jobId, SparkGridConfig config, Configuration hadoop, Path out) throws IOException {
    String jdbcUrl = config.get(SparkGridConfig.JOBS_JDBC_URL);
    Path h2 = Path.of(config.home(), "jobs");
    String jobsWhere = jdbcUrl.isEmpty() ? JdbcJobStore.h2Url(h2) : jdbcUrl;
    // the embedded job store is opened only if it exists: a report must not create one
    boolean haveJobs = !jdbcUrl.isEmpty() || Files.exists(h2.resolve("jobs.mv.db"));
    ReportInputs inputs;
    try (JobStore jobs = !haveJobs ? null : jdbcUrl.isEmpty() ? JdbcJobStore.openH2(h2) : JdbcJobStore.open(jdbcUrl)) {
      inputs = new JobReport(new HadoopModelStore(config.storeRoot(), hadoop),
          new HadoopCheckpointStore(config.storeRoot(), hadoop), config.storeRoot(), jobs,
          haveJobs ? jobsWhere : "no job store (" + jobsWhere + " does not exist)").find(jobId);
    }
    Path file = Files.isDirectory(out) ? out.resolve("report-" + jobId + ".html") : out;
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.writeString(tmp, ReportPage.html(inputs), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return file;
  }

  /**
   * What the report of {@code jobId} is made from.
   *
   * @throws NoSuchElementException if no store knows the job; the message names the job and where it looked
   * @throws IllegalArgumentException if the job id is not a valid store name
   */
  public ReportInputs find(String jobId) throws IOException {
    List<String> notes = new ArrayList<>();
    Optional<Job> job = Optional.empty();
    if (jobs != null) {
      try {
        job = jobs.get(jobId);
      } catch (JobStoreException e) {
        notes.add("the job store (" + jobsWhere + ") could not be read: " + e.getMessage());
      }
    }
    if (job.isPresent()) {
      Job j = job.get();
      notes.add("job store: " + j.state() + (j.attempts() > 0 ? " after " + (j.attempts() + 1) + " attempts" : "")
          + (j.error() == null ? "" : ": " + j.error()));
      Optional<ModelVersion> v = resultVersion(j);
      if (v.isPresent()) {
        return fromVersion(jobId, v.get(), notes);
      }
    }
    Optional<TrainingRequest> recorded = JobRuns.recorded(checkpoints, jobId);
    Map<String, Object> request = recorded.isPresent() ? toMap(RequestCodec.write(recorded.get()))
        : job.isPresent() ? toMap(job.get().requestJson().getBytes(StandardCharsets.UTF_8)) : Map.of();
    String modelName = JsonValues.text(JsonValues.map(request, "model"), "name");
    // the model the request names first; then every other one (a version may be registered under another name)
    List<String> names = new ArrayList<>(models.names());
    if (modelName != null && names.remove(modelName)) {
      names.add(0, modelName);
    }
    Optional<ModelVersion> v = registeredBy(jobId, names);
    if (v.isPresent()) {
      return fromVersion(jobId, v.get(), notes);
    }
    if (recorded.isPresent() || job.isPresent()) {
      return fromRunFiles(jobId, modeOf(recorded, request), request, notes);
    }
    throw new NoSuchElementException("no job '" + jobId + "': " + (jobs == null ? jobsWhere : "not in the job store "
        + jobsWhere) + "; no model version in " + storeRoot + " names it in its lineage; and there is no "
        + storeRoot + "/runs/" + jobId + "/request.json (jobs with run files: " + checkpoints.jobs() + ")");
  }

  /** The version a succeeded job's result names ({@code {"model": ..., "version": ...}}). */
  private Optional<ModelVersion> resultVersion(Job j) throws IOException {
    if (j.resultJson() == null) {
      return Optional.empty();
    }
    JobResult result;
    try {
      result = JobResult.fromMap(toMap(j.resultJson().getBytes(StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (result.model() == null || result.version() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(models.resolve(ModelRef.parse(result.model() + "@" + result.version())));
    } catch (NoSuchElementException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The newest version among those models whose lineage names the job. */
  private Optional<ModelVersion> registeredBy(String jobId, List<String> names) {
    for (String name : names) {
      List<ModelVersion> versions = models.versions(name);
      for (int i = versions.size() - 1; i >= 0; i--) {
        if (jobId.equals(Lineage.fromMap(read(versions.get(i), ModelStore.LINEAGE_FILE)).job())) {
          return Optional.of(versions.get(i));
        }
      }
    }
    return Optional.empty();
  }

  private ReportInputs fromVersion(String jobId, ModelVersion v, List<String> notes) {
    Map<String, Object> lineage = read(v, ModelStore.LINEAGE_FILE);
    return new ReportInputs(jobId, v.name() + "@" + v.version(), v.uri(), read(v, ModelStore.METRICS_FILE), lineage,
        JsonValues.map(lineage, "request"), notes);
  }

  /** A job without a registered model: what its latest checkpoint holds. */
  private ReportInputs fromRunFiles(String jobId, RunMode mode, Map<String, Object> request, List<String> notes)
      throws IOException {
    boolean tree = mode == RunMode.TREE;
    RunSoFar soFar = new RunSoFar(RunMetrics.EMPTY, null);
    OptionalLong step = checkpoints.latest(jobId);
    if (step.isEmpty()) {
      notes.add("no registered model and no checkpoint yet: the job has not finished its first "
          + (tree ? "round" : "segment"));
    } else {
      soFar = RunModes.soFar(mode, checkpoints, jobId, step.getAsLong());
      notes.add(tree
          ? "no registered model yet (the job is running, failed or was stopped): figures up to round "
              + step.getAsLong() + ", from its latest checkpoint"
          : "no registered model yet (the job is running, failed or was stopped): figures from its latest"
              + " checkpoint, step " + step.getAsLong());
    }
    Lineage lineage = new Lineage(jobId, tree ? "tree" : "compute", null, null, null, null, null,
        soFar.contributions(), null, null, null, null, null, null, null);
    return new ReportInputs(jobId, null, storeRoot + "/runs/" + jobId, soFar.metrics().toMap(), lineage.toMap(),
        request, notes);
  }

  /** The mode of the job's request: parsed when it was recorded, else as the request's {@code mode} names it. */
  private static RunMode modeOf(Optional<TrainingRequest> recorded, Map<String, Object> request) {
    return recorded.map(RunMode::of)
        .orElse("tree".equals(JsonValues.text(request, "mode")) ? RunMode.TREE : RunMode.COMPUTE);
  }

  private Map<String, Object> read(ModelVersion v, String file) {
    try {
      return StoreJson.read(models.open(v, file), v.uri() + "/" + file);
    } catch (NoSuchElementException e) {
      return Map.of();
    }
  }

  private static Map<String, Object> toMap(byte[] json) throws IOException {
    return JSON.readValue(json, MAP);
  }
}
