package org.sparkgrid.ingest.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/** Small helpers for the secured broker's secrets: random passwords, owner-only files, SCRAM hashes. */
final class Secrets {
  private Secrets() {}

  private static final SecureRandom RANDOM = new SecureRandom();

  /** rw------- */
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  /** rwx------ */
  static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

  /** 32 random bytes as 64 hex digits: safe in JAAS, properties and keytool. */
  static String randomPassword() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** {@code n} random bytes. */
  static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /**
   * SCRAM's SaltedPassword for SHA-512: Hi(password, salt, iterations) of RFC 5802, which is
   * PBKDF2 with HMAC-SHA-512 and a 64-byte output. Kafka's {@code kafka-storage format --add-scram}
   * takes it ({@code saltedpassword}) so that the password itself never appears on a command line.
   */
  static byte[] scramSha512SaltedPassword(String password, byte[] salt, int iterations) {
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
          .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 512)).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA512 is missing from this JDK", e);
    }
  }

  /** Writes {@code text} to {@code file}, readable and writable by the owner only (0600), replacing it. */
  static void writeOwnerOnly(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
        PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A directory readable by the owner only (0700), created if missing. */
  static Path ownerOnlyDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
    return dir;
  }

  /**
   * Settings as a Java properties text, sorted, with a comment line; keys and values escaped as
   * {@link java.util.Properties#load} reads them.
   */
  static String properties(String comment, Map<String, String> settings) {
    StringBuilder sb = new StringBuilder("# ").append(comment).append('\n');
    for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
      sb.append(escape(e.getKey(), true)).append('=').append(escape(e.getValue(), false)).append('\n');
    }
    return sb.toString();
  }

  private static String escape(String s, boolean key) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '=', ':', '#', '!' -> sb.append(key ? "\\" : "").append(c);
        case ' ' -> sb.append(key || i == 0 ? "\\ " : " ");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
