package org.sparkgrid.jobs.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.ingest.auth.Authorizer;
import org.sparkgrid.ingest.auth.ReplayGuard;
import org.sparkgrid.ingest.auth.RegistryFile;
import org.sparkgrid.ingest.auth.Requester;
import org.sparkgrid.ingest.auth.RequesterRegistry;
import org.sparkgrid.ingest.auth.Role;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.settlement.signing.LocalKeys;
import org.sparkgrid.settlement.signing.PersonalSignatures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's side of signed requests: the {@link Authorizer} of {@code spark.sparkgrid.auth.*}
 * (registry file, EIP-191 signatures, clock skew, nonces in the job store), and the local operator
 * that {@code serve} makes when signatures are required and there is no registry yet: one admin
 * requester, {@value #LOCAL}, whose key is generated into a V3 keystore at {@code
 * <home>/keys/requester.json} with a random password in {@code <home>/keys/requester.password}
 * (files 0600, folder 0700), the files the client commands sign with by default.
 *
 * <pre>{@code
 * ServiceAuth.createLocalRequester(config);                  // once, when the registry file is missing
 * Authorizer auth = ServiceAuth.authorizer(config, store);
 * }</pre>
 */
public final class ServiceAuth {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceAuth.class);

  /** The name of the admin requester {@link #createLocalRequester} registers. */
  public static final String LOCAL = "local";

  private ServiceAuth() {}

  /** The registry file: {@code spark.sparkgrid.auth.registry}, else {@code <home>/requesters.json}. */
  public static Path registryPath(SparkGridConfig config) {
    String p = config.get(SparkGridConfig.AUTH_REGISTRY);
    return p.isEmpty() ? Path.of(config.home(), "requesters.json") : Path.of(p);
  }

  /** The local requester's keystore: {@code <home>/keys/requester.json}. */
  public static Path keystorePath(SparkGridConfig config) {
    return LocalKeys.keystore(ServiceKey.keysDirectory(config), ClientKeys.REQUESTER);
  }

  /** The local requester's keystore password: {@code <home>/keys/requester.password}. */
  public static Path passwordPath(SparkGridConfig config) {
    return LocalKeys.passwordFile(ServiceKey.keysDirectory(config), ClientKeys.REQUESTER);
  }

  /**
   * The authorizer of the service: the registry file (read again when it changes; where signatures
   * are required it must exist), {@link PersonalSignatures#RECOVERY}, the clock skew, and the job
   * store's nonces, kept for twice the skew.
   *
   * @throws IllegalArgumentException naming the file, the field and the value if the registry is
   *     missing (where required) or not a registry
   * @throws UncheckedIOException if it cannot be read
   */
  public static Authorizer authorizer(SparkGridConfig config, JobStore store) {
    boolean required = config.get(SparkGridConfig.AUTH_REQUIRED);
    Duration skew = Duration.ofMillis(config.get(SparkGridConfig.AUTH_CLOCK_SKEW_MS));
    Duration keep = skew.multipliedBy(2);
    Path path = registryPath(config);
    RegistryFile registry;
    try {
      registry = required ? RegistryFile.open(path, Clock.systemUTC()) : RegistryFile.openIfPresent(path,
          Clock.systemUTC());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the requester registry " + path, e);
    }
    LOG.info("requests and control commands: {}; requester registry {} ({} requesters)",
        required ? "signed by a registered requester only" : "unsigned ones taken too (spark.sparkgrid.auth.required"
            + "=false)", path, registry.get().requesters().size());
    return new Authorizer(registry, PersonalSignatures.RECOVERY, Clock.systemUTC(), skew,
        ReplayGuard.inStore(store, keep), required);
  }

  /**
   * Where signatures are required and the registry file does not exist: generates a key into the
   * local keystore (replacing none: an existing keystore is used as it is), and writes the registry
   * with one admin, {@value #LOCAL}, of that key's account.
   *
   * @return the requester registered, or empty if there was a registry already or signatures are not required
   * @throws UncheckedIOException if a file cannot be written
   */
  public static Optional<Requester> createLocalRequester(SparkGridConfig config) {
    Path registry = registryPath(config);
    if (!config.get(SparkGridConfig.AUTH_REQUIRED) || Files.exists(registry)) {
      return Optional.empty();
    }
    try {
      String account = LocalKeys.ensure(ServiceKey.keysDirectory(config), ClientKeys.REQUESTER);
      Requester local = new Requester(LOCAL, account, Set.of(Role.ADMIN), null);
      RegistryFile.write(registry, RequesterRegistry.EMPTY.with(local));
      LOG.info("requester registry {} created with the admin '{}' ({}), whose key is {}", registry, LOCAL, account,
          keystorePath(config));
      return Optional.of(local);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the local requester under " + config.home(), e);
    }
  }
}
