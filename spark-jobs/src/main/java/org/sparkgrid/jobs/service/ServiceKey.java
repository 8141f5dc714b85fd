package org.sparkgrid.jobs.service;

import java.io.IOException;
import java.nio.file.Path;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.signing.LocalKeys;

/**
 * The service's key, which signs every event it publishes: the keystore of
 * {@code spark.sparkgrid.service.keystore} (password from {@code spark.sparkgrid.service.passwordFile},
 * else asked at the terminal), else {@code <home>/keys/service.json} with
 * {@code <home>/keys/service.password}, made on the first {@code serve} ({@link LocalKeys}). Either
 * way its account is written to {@code <home>/keys/service.account}, where the CLI's clients read
 * the account they believe.
 *
 * <pre>{@code
 * ChainKey key = ServiceKey.load(config);       // first time: makes <home>/keys/service.json
 * events = KafkaEventPublisher.create(kafka, topics.events(), store).signedBy(PersonalSignatures.signer(key));
 * }</pre>
 */
public final class ServiceKey {
  /** The base name of the service's files under {@code <home>/keys}. */
  public static final String NAME = "service";

  private ServiceKey() {}

  /** {@code <home>/keys}: where SparkGrid keeps the keys it makes for itself. */
  public static Path keysDirectory(SparkGridConfig config) {
    return Path.of(config.home(), "keys");
  }

  /** {@code <home>/keys/service.account}: the service account, for clients to believe. */
  public static Path accountFile(SparkGridConfig config) {
    return LocalKeys.accountFile(keysDirectory(config), NAME);
  }

  /**
   * The service's key (see the class comment), its account written to {@link #accountFile}.
   *
   * @throws IllegalArgumentException if a keystore or password file is missing or does not open,
   *     naming the file
   * @throws IOException if a file cannot be read or written
   */
  public static ChainKey load(SparkGridConfig config) throws IOException {
    String keystore = config.get(SparkGridConfig.SERVICE_KEYSTORE);
    if (keystore.isEmpty()) {
      return LocalKeys.loadOrCreate(keysDirectory(config), NAME);
    }
    String passwordFile = config.get(SparkGridConfig.SERVICE_PASSWORD_FILE);
    ChainKey key = ChainKey.fromKeystore(Path.of(keystore), passwordFile.isEmpty() ? null : Path.of(passwordFile));
    LocalKeys.writeAccount(keysDirectory(config), NAME, key.address());
    return key;
  }
}
