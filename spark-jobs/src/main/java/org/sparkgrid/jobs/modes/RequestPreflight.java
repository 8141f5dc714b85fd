package org.sparkgrid.jobs.modes;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.AccessControlException;
import org.sparkgrid.core.request.DataSpec;
import org.sparkgrid.core.request.FederationSpec;
import org.sparkgrid.core.request.InvalidRequestException;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.ingest.RequestCheck;
import org.sparkgrid.jobs.data.CsvReader;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.InvalidDataException;
import org.sparkgrid.jobs.model.NetworkFactory;
import org.sparkgrid.jobs.run.HadoopPathChecker;
import org.sparkgrid.federation.sites.FederationRegistry;
import org.sparkgrid.jobs.tree.Federations;

/**
 * The checks a request passes before it is stored or before Spark starts it: what would otherwise
 * fail only once the job runs. Each reads headers, never data, so it is fast:
 *
 * <ul>
 *   <li>tree mode, first: the federation the request may run in ({@link Federations#resolve}): a
 *       registered federation ({@code federation.name}), narrowed only as the operator allows, else an
 *       {@link org.sparkgrid.core.request.UnauthorizedRequestException}; a federation file of the
 *       request's own ({@code federation.sites}) only where the operator runs it ({@link Federations.Files#ALLOWED})
 *   <li>{@code data.train}, {@code data.test}: exist ({@link RequestCodec#checkPaths}) and are
 *       readable; idx: both files' headers (magic numbers {@code 0x00000803} and
 *       {@code 0x00000801}, counts that agree) through {@link IdxReader#header}; csv: the first data
 *       line is readable text with enough columns ({@link CsvReader#shape})
 *   <li>{@code model}: the network is built (its configuration only, no weights) for the shape
 *       those headers give, so an architecture the data cannot feed is refused here: a CNN on flat
 *       CSV features, convolutions that shrink the image below one pixel, raw DL4J JSON whose dense
 *       first layer's {@code nIn} is not the examples' size or whose output is not
 *       {@code data.classes} wide
 *   <li>tree mode, the federation's sites: {@code federation.minSites} is at most their number; every
 *       site's account is on the allowlist (when there is one); every site's data exists and is
 *       readable in the request's format, with examples of {@code data.train}'s shape
 * </ul>
 *
 * <pre>{@code
 * FederationRegistry registry = Federations.registry(config);
 * RequestPreflight.check(request, new Configuration(), registry, Federations.Files.ALLOWED); // the operator's CLI
 * RequestConsumer.builder(kafka, store, events).check(RequestPreflight.of(sc.hadoopConfiguration(), registry)).build();
 * }</pre>
 */
public final class RequestPreflight {

  private RequestPreflight() {}

  /**
   * The check as a {@link RequestCheck} for the service's request consumer, on {@code conf}'s file
   * systems: requests come from requesters, so a tree request must name a federation in {@code registry}.
   */
  public static RequestCheck of(Configuration conf, FederationRegistry registry) {
    Objects.requireNonNull(conf, "conf");
    Objects.requireNonNull(registry, "registry");
    return r -> check(r, conf, registry, Federations.Files.REFUSED);
  }

  /**
   * Checks {@code r}'s federation, data, model and sites on {@code conf}'s file systems.
   *
   * @param files whether the request may name a federation file of its own ({@code federation.sites})
   * @throws org.sparkgrid.core.request.UnauthorizedRequestException naming the field ({@code federation.name},
   *     {@code federation.sites}, {@code federation.siteIds[i]}, {@code reward.poolPerRound},
   *     {@code federation.rounds}) if it asks for more than the operator registered
   * @throws InvalidRequestException naming the field and the value ({@code data.train},
   *     {@code data.test}, {@code model...}, {@code federation.sites}, {@code federation.name},
   *     {@code federation.minSites}) if the request would fail
   * @throws IOException if a file system cannot tell (it is down): not a refusal
   */
  public static void check(TrainingRequest r, Configuration conf, FederationRegistry registry,
      Federations.Files files) throws IOException {
    FederationSpec fed = r.federation();
    // what the sender may not do is refused before anything else; the operator's own file is read after the data
    boolean authorizeFirst = fed != null && (fed.isRegistered() || files == Federations.Files.REFUSED);
    FederationFile federation = authorizeFirst ? federation(r, conf, registry, files) : null;
    RequestCodec.checkPaths(r, new HadoopPathChecker(conf));
    DataSpec data = r.data();
    int[] shape = checkFormat("data.train", data.train(), data, conf);
    if (data.test() != null) {
      checkFormat("data.test", data.test(), data, conf);
    }
    checkArchitecture(r, shape);
    if (fed != null) {
      checkSites(fed, federation != null ? federation : federation(r, conf, registry, files), data, shape, conf);
    }
  }

  private static FederationFile federation(TrainingRequest r, Configuration conf, FederationRegistry registry,
      Federations.Files files) throws IOException {
    FederationSpec fed = r.federation();
    try {
      return Federations.resolve(fed, r.reward(), registry, conf, files);
    } catch (FileNotFoundException | AccessControlException | AccessDeniedException e) {
      throw new InvalidRequestException("federation.sites", fed.sites(), "cannot read " + fed.sites() + ": "
          + e.getMessage());
    }
  }

  private static void checkSites(FederationSpec fed, FederationFile federation, DataSpec data, int[] shape,
      Configuration conf) throws IOException {
    String field = Federations.field(fed);
    String value = Federations.value(fed);
    String what = Federations.describe(fed);
    int sites = federation.sites().size();
    if (fed.minSites() > sites) {
      throw new InvalidRequestException("federation.minSites", String.valueOf(fed.minSites()),
          "must be at most the " + sites + (sites == 1 ? " site" : " sites") + " of " + what + ", got "
              + fed.minSites());
    }
    for (FederationFile.Site s : federation.sites()) {
      if (!federation.allowed(s)) {
        throw new InvalidRequestException(field, value, "site " + s.id() + "'s account " + s.account()
            + " is not on the allowlist of " + what);
      }
    }
    for (FederationFile.Site s : federation.sites()) {
      int[] siteShape;
      try {
        siteShape = checkFormat(field, s.data(), data, conf);
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException(field, value, "site " + s.id() + "'s data: "
            + e.getMessage().substring(e.field().length() + 2));
      }
      if (!Arrays.equals(siteShape, shape)) {
        throw new InvalidRequestException(field, value, "site " + s.id() + "'s data " + s.data()
            + " has examples of shape " + Arrays.toString(siteShape) + ", data.train " + data.train() + " of shape "
            + Arrays.toString(shape) + ": the sites train the model the coordinator evaluates, so they must agree");
      }
    }
  }

  /**
   * Builds the request's network configuration for examples of {@code shape}: what the job does
   * first, without reading any data. The classes are {@code data.classes}, else (unknown before the
   * labels are read) the output width of a raw DL4J configuration, else 2, which no built-in
   * architecture's shape depends on.
   *
   * @throws InvalidRequestException naming the model field the builder named
   */
  static void checkArchitecture(TrainingRequest r, int[] shape) {
    Integer classes = r.data().classes();
    try {
      NetworkFactory.build(r.model(), r.training(), shape,
          classes != null ? classes : NetworkFactory.outputWidth(r.model()).orElse(2));
    } catch (IllegalArgumentException e) {
      Matcher m = MODEL_FIELD.matcher(e.getMessage());
      boolean named = m.lookingAt();
      String field = named ? m.group(1) : "model";
      String message = named && m.group(2) != null ? e.getMessage().substring(m.end()) : e.getMessage();
      throw new InvalidRequestException(field, r.model().architecture() == null ? null
          : r.model().architecture().wire(), message + " (data " + r.data().train() + ": examples of shape "
          + Arrays.toString(shape) + ")");
    }
  }

  private static final Pattern MODEL_FIELD = Pattern.compile("(model(?:\\.[A-Za-z0-9]+(?:\\[[0-9]+\\])?)+)(: )?");

  /**
   * Reads the header of the data at {@code path} in the request's format; a missing or bad file
   * names {@code field}.
   *
   * @return one example's shape
   */
  private static int[] checkFormat(String field, String path, DataSpec data, Configuration conf) throws IOException {
    try {
      if (data.format() == DataSpec.Format.IDX) {
        return IdxReader.header(conf, path).shape();
      } else {
        return CsvReader.shape(conf, path, data.labelColumn(), data.header());
      }
    } catch (InvalidDataException | FileNotFoundException | AccessControlException | AccessDeniedException
        | IllegalArgumentException e) {
      throw new InvalidRequestException(field, path, e.getMessage());
    }
  }
}
