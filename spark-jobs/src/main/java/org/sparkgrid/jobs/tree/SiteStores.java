package org.sparkgrid.jobs.tree;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.jobs.data.ConfEntries;
import org.sparkgrid.jobs.model.ModelZip;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;

/**
 * Writes a federation's final model into each site's own store ({@code store} in the site's
 * registration), from a task on that site's executor: one Spark job, a task per site that has a store,
 * placed by {@link SitePlacement} and checked by {@link SiteIdentity#verify} like the site's training
 * tasks, so the bytes are written with the site's own file-system access, never the coordinator's.
 * A site without a store gets nothing here (the coordinator's copy remains).
 *
 * <pre>{@code
 * List<SiteStores.Written> w = SiteStores.write(sc, "job-1", federation.sites(), modelZipBytes,
 *     new ConfEntries(sc.hadoopConfiguration()));
 * // each w.get(i).path() is <store>/job-1/model.zip, or w.get(i).failure() says why not
 * }</pre>
 */
public final class SiteStores {
  /** The file each site's store receives, under {@code <store>/<job id>/}. */
  public static final String MODEL_FILE = "model.zip";
  private static final Logger LOG = LoggerFactory.getLogger(SiteStores.class);

  private SiteStores() {}

  /**
   * What one site's store received.
   *
   * @param siteId   the site
   * @param path     the file written, or null if it failed
   * @param executor the executor that wrote it (or last refused or failed)
   * @param failure  why nothing was written (the root cause's message), or null
   */
  public record Written(String siteId, String path, String executor, String failure) implements Serializable {}

  /** {@code <store>/<jobId>/model.zip}. */
  public static String path(String store, String jobId) {
    return new Path(new Path(store, jobId), MODEL_FILE).toString();
  }

  /**
   * Writes {@code modelZip} to the store of every site that has one and waits for them.
   *
   * @return one entry per site with a store, in the federation's order (empty if none has one)
   */
  public static List<Written> write(JavaSparkContext sc, String jobId, List<FederationFile.Site> sites,
      byte[] modelZip, ConfEntries conf) {
    List<Tuple2<Target, scala.collection.Seq<String>>> parts = new ArrayList<>();
    for (FederationFile.Site s : sites) {
      if (s.store() != null) {
        parts.add(new Tuple2<>(new Target(s.id(), path(s.store(), jobId)),
            JavaConverters.asScalaBuffer(new ArrayList<>(SitePlacement.locations(sc.sc(), s.id(), s.hosts()))).toSeq()));
      }
    }
    if (parts.isEmpty()) {
      return List.of();
    }
    Broadcast<byte[]> model = sc.broadcast(modelZip);
    try {
      sc.setJobDescription("SparkGrid federation " + jobId + ": final model to " + parts.size() + " site stores");
      return sc.sc().makeRDD(JavaConverters.asScalaBuffer(parts).toSeq(), ClassTag$.MODULE$.apply(Target.class))
          .toJavaRDD().map(new Put(model, conf, SiteRound.maxAttempts(sc.master(), sc.getConf()))).collect();
    } finally {
      sc.setJobDescription(null);
      model.destroy();
    }
  }

  /**
   * Writes the final model ({@link ModelZip}) to every site's store and says what each received;
   * a site whose store could not be written is logged and said, and the run goes on (the coordinator's
   * registered model and its copy under the run's files remain).
   *
   * @throws UncheckedIOException if the model cannot be serialized
   */
  static List<Written> publish(JavaSparkContext sc, String jobId, List<FederationFile.Site> sites,
      MultiLayerNetwork net, DataNormalization normalizer, Consumer<String> say) {
    if (sites.stream().noneMatch(s -> s.store() != null)) {
      return List.of();
    }
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try {
      ModelZip.write(net, normalizer, zip);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialize the final model for the sites' stores", e);
    }
    List<Written> written = write(sc, jobId, sites, zip.toByteArray(), new ConfEntries(sc.hadoopConfiguration()));
    for (Written w : written) {
      if (w.failure() == null) {
        say.accept("final model written to site " + w.siteId() + "'s store " + w.path() + " by " + w.executor());
      } else {
        LOG.warn("site {}'s store did not receive the final model: {}", w.siteId(), w.failure());
        say.accept("site " + w.siteId() + "'s store did not receive the final model: " + w.failure());
      }
    }
    return written;
  }

  /** One site's destination. */
  record Target(String siteId, String path) implements Serializable {}

  /** Checks the executor's identity, then writes the bytes; a failure on the last attempt is reported, not thrown. */
  private static final class Put implements Function<Target, Written> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<byte[]> model;
    private final ConfEntries conf;
    private final int maxAttempts;

    Put(Broadcast<byte[]> model, ConfEntries conf, int maxAttempts) {
      this.model = model;
      this.conf = conf;
      this.maxAttempts = maxAttempts;
    }

    @Override
    public Written call(Target t) throws Exception {
      SiteIdentity.Executor here = SiteIdentity.here();
      try {
        here = SiteIdentity.verify(t.siteId());
        Path p = new Path(t.path());
        FileSystem fs = p.getFileSystem(conf.toConfiguration());
        try (OutputStream out = fs.create(p, true)) {
          out.write(model.value());
        }
        return new Written(t.siteId(), p.toString(), here.describe(), null);
      } catch (IOException | RuntimeException e) {
        TaskContext ctx = TaskContext.get();
        if (ctx != null && ctx.attemptNumber() + 1 < maxAttempts) {
          throw e; // Spark tries again, elsewhere where it can
        }
        return new Written(t.siteId(), null, here.describe(), SiteRound.rootMessage(e));
      }
    }
  }
}
