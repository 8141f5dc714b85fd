package org.sparkgrid.jobs.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.JobStore;

/**
 * The service under errors rather than exceptions, end to end (a real Kafka broker, the job store
 * on an H2 file, Spark {@code local[2]}, one job at a time): a job whose data reading throws an
 * {@link Error} ({@link ErrorThrowingFileSystem}) ends FAILED naming it and the next job runs; an
 * error from the job store does not stop the scheduler; an {@link OutOfMemoryError} in a job fails
 * the job and then stops the service (the last test: the service stays stopped).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkGridServiceErrorsTest {
  private static final String FMNIST = ServiceHarness.FMNIST;
  private static final Duration FOLLOW = Duration.ofMinutes(3);
  @TempDir static Path dir;
  private static ServiceHarness harness;
  private static JobStore realStore;
  private static JobStore store;
  private static final AtomicInteger claimErrors = new AtomicInteger();
  private static SparkGridService service;
  private static SparkGridClient client;

  @BeforeAll
  static void start() throws Exception {
    harness = ServiceHarness.start(dir, "SparkGridServiceErrorsTest");
    harness.sc().hadoopConfiguration().set("fs." + ErrorThrowingFileSystem.SCHEME + ".impl",
        ErrorThrowingFileSystem.class.getName());
    realStore = JdbcJobStore.openH2(dir.resolve("jobs"));
    store = withClaimErrors(realStore);
    service = harness.startService(ServiceHarness.config(dir, Map.of()), store);
    client = harness.client();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {harness, realStore}) {
      if (c != null) {
        c.close();
      }
    }
  }


  /** The real store, except that {@code claimNext} throws a NoClassDefFoundError while {@link #claimErrors} > 0. */
  private static JobStore withClaimErrors(JobStore real) {
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("claimNext") && claimErrors.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new NoClassDefFoundError("org/h2/jdbc/JdbcConnection (thrown by the test's job store)");
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** A one-epoch MLP request whose training data is {@code trainUri} (an errfs:// path or Fashion-MNIST). */
  private static void submit(String id, String trainUri) {
    client.submit(RequestCodec.parse("""
        {"schema": 1, "id": "%s",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [16]}},
         "data": {"format": "idx", "train": "%s", "test": "file:%s/t10k", "limit": 300},
         "training": {"epochs": 1, "batchSize": 32, "seed": 1},
         "engine": {"workers": 2, "averagingFrequency": 4}}
        """.formatted(id, id, trainUri, FMNIST)));
  }

  private static String erring(String error) {
    return ErrorThrowingFileSystem.SCHEME + "://" + error + FMNIST + "/train";
  }

  /** The job id of request {@code id}: the client signs as the admin 'local', so {@code local.<id>}. */
  private static String job(String id) {
    return client.jobIdFor(id);
  }

  private static JobEvent.Payload end(String id) {
    Optional<JobEvent> end = client.follow(job(id), FOLLOW, e -> { });
    assertThat(end).as("the last event of " + id).isPresent();
    return end.get().payload();
  }

  @Test
  @Order(1)
  void anErrorInAJobFailsThatJobNamingTheErrorAndTheNextJobRuns() {
    List<String> ids = List.of("err-no-class", "err-stack", "err-assert", "err-then-ok");
    submit("err-no-class", erring("no-class-def"));
    submit("err-stack", erring("stack-overflow"));
    submit("err-assert", erring("assertion"));
    submit("err-then-ok", "file:" + FMNIST + "/train");

    List<JobEvent.Payload> ends = new CopyOnWriteArrayList<>();
    ids.forEach(id -> ends.add(end(id)));

    assertThat(ends).containsExactly(
        new JobEvent.Failed("java.lang.NoClassDefFoundError: org/sparkgrid/jobs/data/Gone (thrown by the test file system)"),
        new JobEvent.Failed("java.lang.StackOverflowError: thrown by the test file system"),
        new JobEvent.Failed("java.lang.AssertionError: no error named assertion"),
        ends.get(3));
    assertThat(ends.get(3)).isInstanceOf(JobEvent.Succeeded.class);
    assertThat(ids).map(id -> realStore.get(job(id)).orElseThrow().state())
        .containsExactly(JobState.FAILED, JobState.FAILED, JobState.FAILED, JobState.SUCCEEDED);
    assertThat(realStore.get(job("err-no-class")).map(Job::error)).contains(
        "java.lang.NoClassDefFoundError: org/sparkgrid/jobs/data/Gone (thrown by the test file system)");
    assertThat(dir.resolve("home/store/models/err-then-ok/1/model.zip")).exists();
  }

  @Test
  @Order(2)
  void anErrorFromTheJobStoreDoesNotStopTheScheduler() {
    claimErrors.set(3);

    submit("err-store-then-ok", "file:" + FMNIST + "/train");

    assertThat(end("err-store-then-ok")).isInstanceOf(JobEvent.Succeeded.class);
    assertThat(claimErrors.get()).as("claims that still have to throw").isZero();
    assertThat(realStore.get(job("err-store-then-ok")).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  @Order(3)
  void anOutOfMemoryErrorInAJobFailsTheJobThenStopsTheService() throws Exception {
    submit("err-oom", erring("out-of-memory"));

    assertThat(end("err-oom")).isEqualTo(
        new JobEvent.Failed("java.lang.OutOfMemoryError: Java heap space (thrown by the test file system)"));
    assertThat(realStore.get(job("err-oom")).orElseThrow().state()).isEqualTo(JobState.FAILED);
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(service::awaitTermination)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the SparkGrid service stopped after a fatal error: java.lang.OutOfMemoryError: Java heap space"
            + " (thrown by the test file system); start it again")
        .hasCauseInstanceOf(OutOfMemoryError.class));

    // stopped: a request still comes in and is stored, but no job starts any more
    submit("err-after-oom", "file:" + FMNIST + "/train");
    long deadline = System.currentTimeMillis() + 30_000;
    while (realStore.get(job("err-after-oom")).isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    Thread.sleep(3_000); // time enough for a scheduler to claim it, were one left
    assertThat(realStore.get(job("err-after-oom")).map(Job::state)).contains(JobState.QUEUED);
  }
}
