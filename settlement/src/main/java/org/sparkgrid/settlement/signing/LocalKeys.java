package org.sparkgrid.settlement.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.sparkgrid.settlement.chain.ChainKey;
import org.web3j.crypto.exception.CipherException;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Wallet;
import org.web3j.crypto.WalletFile;
import org.web3j.protocol.ObjectMapperFactory;

/**
 * A key that SparkGrid makes for itself under its home, once: a V3 keystore {@code <dir>/<name>.json},
 * its password in {@code <dir>/<name>.password} (32 random bytes, hex) and its account in
 * {@code <dir>/<name>.account}; the directory mode 0700, the files 0600. Later calls load the same
 * key. The keystore uses scrypt's light parameters (n = 4096): its password lies beside it, so the
 * file modes, not the key derivation, protect it, and loading stays fast.
 *
 * <pre>{@code
 * ChainKey service = LocalKeys.loadOrCreate(Path.of(home, "keys"), "service");   // keys/service.json ...
 * System.out.println(Files.readString(LocalKeys.accountFile(Path.of(home, "keys"), "service")));  // 0x...
 * }</pre>
 */
public final class LocalKeys {
  private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private LocalKeys() {}

  /** {@code <dir>/<name>.json}. */
  public static Path keystore(Path dir, String name) {
    return dir.resolve(name + ".json");
  }

  /** {@code <dir>/<name>.password}. */
  public static Path passwordFile(Path dir, String name) {
    return dir.resolve(name + ".password");
  }

  /** {@code <dir>/<name>.account}. */
  public static Path accountFile(Path dir, String name) {
    return dir.resolve(name + ".account");
  }

  /**
   * The key of {@code <dir>/<name>.json} opened with {@code <dir>/<name>.password}; made first (a
   * fresh secp256k1 key) when the keystore does not exist. The account file is (re)written either way.
   *
   * @throws IllegalArgumentException if the keystore exists but its password file is missing or does
   *     not open it, naming the file
   * @throws IOException if a file cannot be read or written
   */
  public static ChainKey loadOrCreate(Path dir, String name) throws IOException {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(name, "name");
    Path keystore = keystore(dir, name);
    if (!Files.exists(keystore)) {
      create(dir, name);
    }
    ChainKey key = ChainKey.fromKeystore(keystore, passwordFile(dir, name));
    writeAccount(dir, name, key.address());
    return key;
  }

  /**
   * Makes {@code <dir>/<name>.json} (and its password file) as {@link #loadOrCreate} does when it
   * does not exist, and returns its account, read from the keystore file without its password.
   *
   * @throws IOException if a file cannot be read or written
   */
  public static String ensure(Path dir, String name) throws IOException {
    Path keystore = keystore(Objects.requireNonNull(dir, "dir"), Objects.requireNonNull(name, "name"));
    if (!Files.exists(keystore)) {
      create(dir, name);
    }
    String a = ObjectMapperFactory.getObjectMapper().readValue(keystore.toFile(), WalletFile.class).getAddress();
    return (a.startsWith("0x") ? a : "0x" + a).toLowerCase(Locale.ROOT);
  }

  /** Writes {@code <dir>/<name>.account} (mode 0600): the account and a line break. */
  public static void writeAccount(Path dir, String name, String account) throws IOException {
    privateDirectory(dir);
    writePrivate(accountFile(dir, name), account.toLowerCase(Locale.ROOT) + "\n");
  }

  private static void create(Path dir, String name) throws IOException {
    privateDirectory(dir);
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    String password = HexFormat.of().formatHex(secret);
    WalletFile wallet;
    try {
      ECKeyPair pair = Keys.createEcKeyPair();
      wallet = Wallet.createLight(password, pair);
    } catch (CipherException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a key for " + keystore(dir, name) + ": " + e, e);
    }
    writePrivate(passwordFile(dir, name), password + "\n");
    Path tmp = dir.resolve(name + ".json.tmp");
    writePrivate(tmp, ObjectMapperFactory.getObjectMapper().writeValueAsString(wallet));
    try {
      Files.move(tmp, keystore(dir, name), StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      Files.deleteIfExists(tmp); // another process made it meanwhile: theirs stands
    }
  }

  private static void privateDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, DIR);
    }
  }

  private static void writePrivate(Path file, String text) throws IOException {
    if (!Files.exists(file)) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
    }
    Files.setPosixFilePermissions(file, FILE);
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
