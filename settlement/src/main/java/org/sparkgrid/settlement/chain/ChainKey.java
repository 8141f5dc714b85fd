package org.sparkgrid.settlement.chain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;
import org.web3j.crypto.exception.CipherException;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;

/**
 * A signing key, loaded from a keystore file or an environment variable. Its {@link #toString()}
 * shows the address only: the key never reaches a log line, an exception message or a report.
 *
 * <pre>{@code
 * ChainKey coordinator = ChainKey.fromEnvironment();          // SPARKGRID_CHAIN_KEY=0x...
 * ChainKey coordinator = ChainKey.fromKeystore(path, pass);   // a Web3 Secret Storage JSON file
 * ChainKey coordinator = ChainKey.fromKeystore(path, passwordFile);  // null: ask at the terminal
 * ChainKey coordinator = ChainKey.fromConfig(config);         // spark.sparkgrid.chain.keystore, else the variable
 * }</pre>
 */
public final class ChainKey {
  /** The environment variable {@link #fromEnvironment()} reads: a hex private key. */
  public static final String ENVIRONMENT_VARIABLE = "SPARKGRID_CHAIN_KEY";
  private static final Pattern PRIVATE_KEY = Pattern.compile("(0x)?[0-9a-fA-F]{64}");

  private final Credentials credentials;

  private ChainKey(Credentials credentials) {
    this.credentials = credentials;
  }

  /**
   * The key in {@value #ENVIRONMENT_VARIABLE}.
   *
   * @throws IllegalStateException if {@value #ENVIRONMENT_VARIABLE} is unset or not a hex key
   *     (the message never contains the value)
   */
  public static ChainKey fromEnvironment() {
    return fromEnvironment(ENVIRONMENT_VARIABLE, System::getenv);
  }

  /**
   * The hex private key in an environment variable, looked up with {@code env} (normally
   * {@code System::getenv}).
   *
   * @throws IllegalStateException if the variable is unset or not a hex key (the message names the
   *     variable, never its value)
   */
  public static ChainKey fromEnvironment(String variable, java.util.function.UnaryOperator<String> env) {
    String value = env.apply(Objects.requireNonNull(variable, "variable"));
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(variable + " is not set");
    }
    if (!PRIVATE_KEY.matcher(value.trim()).matches()) {
      throw new IllegalStateException(variable + " must be 64 hex digits (optionally after 0x)");
    }
    return new ChainKey(Credentials.create(value.trim()));
  }

  /**
   * @param keystore a Web3 Secret Storage (V3) JSON file
   * @param password its password; cleared when this returns
   * @throws IllegalArgumentException if the file is missing or the password does not open it
   * @throws IOException if the file cannot be read
   */
  public static ChainKey fromKeystore(Path keystore, char[] password) throws IOException {
    Objects.requireNonNull(keystore, "keystore");
    Objects.requireNonNull(password, "password");
    try {
      if (!Files.isRegularFile(keystore)) {
        throw new IllegalArgumentException("keystore " + keystore + " is not a file");
      }
      return new ChainKey(WalletUtils.loadCredentials(new String(password), keystore.toFile()));
    } catch (CipherException e) {
      throw new IllegalArgumentException("keystore " + keystore + " cannot be opened with this password", e);
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /**
   * The key in a V3 keystore, its password read from the first line of {@code passwordFile} or,
   * when that is null, asked at the terminal (without echo).
   *
   * @throws IllegalArgumentException if a file is missing, the password does not open the keystore,
   *     or there is neither a password file nor a terminal
   * @throws IOException if a file cannot be read
   */
  public static ChainKey fromKeystore(Path keystore, Path passwordFile) throws IOException {
    Objects.requireNonNull(keystore, "keystore");
    if (!Files.isRegularFile(keystore)) {
      throw new IllegalArgumentException("keystore " + keystore + " is not a file");
    }
    char[] password;
    if (passwordFile != null) {
      if (!Files.isRegularFile(passwordFile)) {
        throw new IllegalArgumentException("password file " + passwordFile + " is not a file");
      }
      String text = Files.readString(passwordFile);
      int eol = text.indexOf('\n');
      password = (eol < 0 ? text : text.substring(0, eol)).replace("\r", "").toCharArray();
    } else if (System.console() != null) {
      password = System.console().readPassword("password of keystore %s: ", keystore);
      if (password == null) {
        throw new IllegalArgumentException("no password given for keystore " + keystore);
      }
    } else {
      throw new IllegalArgumentException("keystore " + keystore + " needs its password: give a password file"
          + " (--password-file or spark.sparkgrid.chain.keystorePasswordFile) or run at a terminal");
    }
    return fromKeystore(keystore, password);
  }

  /**
   * The coordinator's key: the keystore of {@code spark.sparkgrid.chain.keystore} (password from
   * {@code spark.sparkgrid.chain.keystorePasswordFile} or the terminal) when set, else
   * {@value #ENVIRONMENT_VARIABLE}.
   *
   * @throws IllegalArgumentException if neither gives a key (the message never holds one)
   * @throws IOException if a file cannot be read
   */
  public static ChainKey fromConfig(org.sparkgrid.core.config.SparkGridConfig config) throws IOException {
    String keystore = config.get(org.sparkgrid.core.config.SparkGridConfig.CHAIN_KEYSTORE);
    if (!keystore.isEmpty()) {
      String passwordFile = config.get(org.sparkgrid.core.config.SparkGridConfig.CHAIN_KEYSTORE_PASSWORD_FILE);
      return fromKeystore(Path.of(keystore), passwordFile.isEmpty() ? null : Path.of(passwordFile));
    }
    try {
      return fromEnvironment();
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage() + ": it must hold the private key that signs the"
          + " transactions, or set spark.sparkgrid.chain.keystore to a V3 keystore file");
    }
  }

  /**
   * A key given in code: for the well-known development keys of a local node only.
   *
   * @throws IllegalArgumentException if {@code privateKeyHex} is not 64 hex digits
   */
  public static ChainKey ofPrivateKey(String privateKeyHex) {
    Objects.requireNonNull(privateKeyHex, "privateKeyHex");
    if (!PRIVATE_KEY.matcher(privateKeyHex).matches()) {
      throw new IllegalArgumentException("a private key must be 64 hex digits (optionally after 0x)");
    }
    return new ChainKey(Credentials.create(privateKeyHex));
  }

  /** The key's address, 0x and 40 lower-case hex digits. */
  public String address() {
    return credentials.getAddress();
  }

  /** For Web3j's transaction managers; do not print or store what this returns. */
  public Credentials credentials() {
    return credentials;
  }

  @Override
  public String toString() {
    return "ChainKey[" + address() + "]";
  }
}
