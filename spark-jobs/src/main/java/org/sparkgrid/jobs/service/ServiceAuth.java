package org.sparkgrid.jobs.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
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
import org.sparkgrid.settlement.signing.PersonalSignatures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Wallet;
import org.web3j.crypto.WalletFile;
import org.web3j.crypto.exception.CipherException;
import org.web3j.protocol.ObjectMapperFactory;

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
    return Path.of(config.home(), "keys", "requester.json");
  }

  /** The local requester's keystore password: {@code <home>/keys/requester.password}. */
  public static Path passwordPath(SparkGridConfig config) {
    return Path.of(config.home(), "keys", "requester.password");
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
      String account = Files.exists(keystorePath(config)) ? readAccount(keystorePath(config))
          : newKeystore(keystorePath(config), passwordPath(config));
      Requester local = new Requester(LOCAL, account, Set.of(Role.ADMIN), null);
      RegistryFile.write(registry, RequesterRegistry.EMPTY.with(local));
      LOG.info("requester registry {} created with the admin '{}' ({}), whose key is {}", registry, LOCAL, account,
          keystorePath(config));
      return Optional.of(local);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the local requester under " + config.home(), e);
    }
  }

  /**
   * A new key in a V3 keystore and a random password beside it; returns its account. The keystore
   * uses web3j's light scrypt parameters (n = 4096): the password is 192 random bits, not a word a
   * person chose, so a costlier derivation would protect nothing more, and every signing command
   * would wait seconds for it (the standard n = 262144 takes about 8 s on two cores).
   */
  static String newKeystore(Path keystore, Path passwordFile) throws IOException {
    Path dir = keystore.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    restrict(dir, "rwx------");
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    String password = HexFormat.of().formatHex(secret);
    WalletFile wallet;
    try {
      ECKeyPair key = Keys.createEcKeyPair();
      wallet = Wallet.createLight(password, key);
    } catch (CipherException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a key: " + e, e);
    }
    writePrivate(passwordFile, (password + "\n").getBytes(StandardCharsets.UTF_8));
    writePrivate(keystore, ObjectMapperFactory.getObjectMapper().writeValueAsBytes(wallet));
    return "0x" + wallet.getAddress().toLowerCase(java.util.Locale.ROOT);
  }

  private static String readAccount(Path keystore) throws IOException {
    WalletFile w = ObjectMapperFactory.getObjectMapper().readValue(keystore.toFile(), WalletFile.class);
    String a = w.getAddress();
    return (a.startsWith("0x") ? a : "0x" + a).toLowerCase(java.util.Locale.ROOT);
  }

  private static void writePrivate(Path file, byte[] bytes) throws IOException {
    Files.deleteIfExists(file);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.write(file, bytes, StandardOpenOption.TRUNCATE_EXISTING);
  }

  private static void restrict(Path p, String perms) throws IOException {
    try {
      Set<PosixFilePermission> set = PosixFilePermissions.fromString(perms);
      Files.setPosixFilePermissions(p, set);
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    }
  }
}
