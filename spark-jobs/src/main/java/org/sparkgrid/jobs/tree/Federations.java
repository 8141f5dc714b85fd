package org.sparkgrid.jobs.tree;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.FederationSpec;
import org.sparkgrid.core.request.InvalidRequestException;
import org.sparkgrid.core.request.RewardSpec;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.sites.FederationGrant;
import org.sparkgrid.federation.sites.FederationRegistry;
import org.sparkgrid.federation.sites.RegisteredFederation;

/**
 * The federation a tree request runs in, found once for every reader (the service's door, the CLI,
 * the runner, {@code exclude-site}): a registered federation ({@code federation.name}) from the
 * operator's {@link FederationRegistry}, narrowed by {@link FederationGrant#narrow}; or, where the
 * operator runs the request ({@code bin/sparkgrid train|federate}), a federation file
 * ({@code federation.sites}).
 *
 * <pre>{@code
 * FederationFile sites = Federations.resolve(request.federation(), request.reward(),
 *     Federations.registry(config), hadoop, Federations.Files.REFUSED);
 * }</pre>
 */
public final class Federations {

  private Federations() {}

  /** Whether a request may name a federation file of its own ({@code federation.sites}). */
  public enum Files {
    /** The operator runs it from the command line: the file is the operator's. */
    ALLOWED,
    /** It came from a requester (the service): only registered federations. */
    REFUSED
  }

  /** The operator's registry that {@code config} names ({@code spark.sparkgrid.federation.registry}). */
  public static FederationRegistry registry(SparkGridConfig config) {
    return FederationRegistry.at(Path.of(config.federationRegistry()));
  }

  /**
   * The sites the request runs with.
   *
   * @param reward the request's reward ({@code null}: none, nothing to bound)
   * @throws org.sparkgrid.core.request.UnauthorizedRequestException naming the field if the request names
   *     no registered federation, asks for more than it grants, or (with {@link Files#REFUSED}) names a file
   * @throws InvalidRequestException naming {@code federation.name} or {@code federation.sites} if the
   *     registered entry or the file is not a valid federation
   * @throws IOException if the registry or the file cannot be read
   */
  public static FederationFile resolve(FederationSpec fed, RewardSpec reward, FederationRegistry registry,
      Configuration conf, Files files) throws IOException {
    if (fed.isRegistered()) {
      Optional<RegisteredFederation> registered;
      try {
        registered = registry.get(fed.name());
      } catch (IllegalStateException e) {
        throw new InvalidRequestException("federation.name", fed.name(), e.getMessage()
            + " (the operator registers it again)");
      }
      return FederationGrant.narrow(registered.orElseThrow(() -> FederationGrant.unknown(fed.name())), fed, reward);
    }
    if (files == Files.REFUSED) {
      throw FederationGrant.ownFile(fed.sites());
    }
    try {
      return FederationRunner.readFederation(fed.sites(), conf);
    } catch (InvalidRequestException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("federation.sites", fed.sites(), e.getMessage());
    }
  }

  /** How messages name the request's federation: {@code registered federation 'x'} or the file's path. */
  public static String describe(FederationSpec fed) {
    return fed.isRegistered() ? "registered federation '" + fed.name() + "'" : fed.sites();
  }

  /** The field that names the request's federation: {@code federation.name} or {@code federation.sites}. */
  public static String field(FederationSpec fed) {
    return fed.isRegistered() ? "federation.name" : "federation.sites";
  }

  /** The value of {@link #field}. */
  public static String value(FederationSpec fed) {
    return fed.isRegistered() ? fed.name() : fed.sites();
  }
}
