package org.sparkgrid.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The canonical bytes signed for one Kafka record, and the record headers that carry the
 * signature. What is signed is this UTF-8 text (five lines, each ending in {@code \n}):
 *
 * <pre>
 * SparkGrid request v1
 * key: alice.fmnist-0001
 * timestamp: 1796428800000
 * nonce: 9f3c2a61d04b7e58a1c2d3e4f5a6b7c8
 * sha256: &lt;64 lower-case hex digits: SHA-256 of the record's value bytes&gt;
 * </pre>
 *
 * <p>The first line names the {@link Kind} ({@code request}, {@code control} or {@code event}) so a
 * signature made for one kind is never accepted as another; the key is the record's key (empty if
 * none); the timestamp is milliseconds since the epoch, as the signer's clock read it; the nonce is
 * 1 to 64 characters of {@code [A-Za-z0-9_-]}, never reused by one signer. The text is signed as an
 * Ethereum personal message (EIP-191), so an ethers script signs it with {@code
 * wallet.signMessage(text)}. The record carries:
 *
 * <ul>
 *   <li>{@value #SIGNATURE_HEADER}: {@code 0x} + r, s, v (130 hex digits)
 *   <li>{@value #SIGNER_HEADER}: the account that claims to have signed, {@code 0x} + 40 hex digits
 *   <li>{@value #TIMESTAMP_HEADER}: the timestamp, decimal
 *   <li>{@value #NONCE_HEADER}: the nonce
 * </ul>
 *
 * <pre>{@code
 * byte[] body = RequestCodec.toJson(request).getBytes(StandardCharsets.UTF_8);
 * long now = System.currentTimeMillis();
 * String nonce = SignedMessage.newNonce();
 * String signature = signer.sign(SignedMessage.message(SignedMessage.Kind.REQUEST, request.id(), now, nonce, body));
 * }</pre>
 */
public final class SignedMessage {

  /** Header with the signature: {@code 0x} + r, s, v. */
  public static final String SIGNATURE_HEADER = "sparkgrid.signature";
  /** Header with the account that claims to have signed. */
  public static final String SIGNER_HEADER = "sparkgrid.signer";
  /** Header with the signing time, milliseconds since the epoch, decimal. */
  public static final String TIMESTAMP_HEADER = "sparkgrid.timestamp";
  /** Header with the signer's one-time nonce. */
  public static final String NONCE_HEADER = "sparkgrid.nonce";

  /** The longest nonce. */
  public static final int MAX_NONCE_LENGTH = 64;

  private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_NONCE_LENGTH + "}");
  private static final Pattern ACCOUNT = Pattern.compile("0x[0-9a-fA-F]{40}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private SignedMessage() {}

  /** What a signature is for; its wire name is the first word after "SparkGrid". */
  public enum Kind {
    /** A training request on the requests topic, signed by a requester. */
    REQUEST("request"),
    /** A control command (cancel, exclude-site) on the control topic, signed by a requester. */
    CONTROL("control"),
    /** A job event on the events topic, signed by the service. */
    EVENT("event");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    /** The name in the signed text's first line. */
    public String wire() {
      return wire;
    }
  }

  /**
   * The bytes to sign (and to check) for one record; see the class comment.
   *
   * @param key the record's key, {@code null} or empty for none
   * @throws IllegalArgumentException if the key holds a line break, the timestamp is negative or
   *     the nonce is not 1 to 64 characters of {@code [A-Za-z0-9_-]}, naming which
   */
  public static byte[] message(Kind kind, String key, long timestampMillis, String nonce, byte[] body) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(body, "body");
    String k = key == null ? "" : key;
    if (k.indexOf('\n') >= 0 || k.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("key: must not hold a line break");
    }
    if (timestampMillis < 0) {
      throw new IllegalArgumentException(TIMESTAMP_HEADER + ": must be at least 0, got " + timestampMillis);
    }
    checkNonce(nonce);
    String text = "SparkGrid " + kind.wire() + " v1\n"
        + "key: " + k + "\n"
        + "timestamp: " + timestampMillis + "\n"
        + "nonce: " + nonce + "\n"
        + "sha256: " + HexFormat.of().formatHex(sha256(body)) + "\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** A fresh nonce: 16 random bytes from {@link SecureRandom}, 32 lower-case hex digits. */
  public static String newNonce() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /**
   * Checks a nonce header's value.
   *
   * @throws IllegalArgumentException naming the header and the value if it is not 1 to 64
   *     characters of {@code [A-Za-z0-9_-]}
   */
  public static String checkNonce(String nonce) {
    if (nonce == null || !NONCE.matcher(nonce).matches()) {
      throw new IllegalArgumentException(NONCE_HEADER + ": must be 1 to " + MAX_NONCE_LENGTH
          + " characters of A-Z, a-z, 0-9, _ and -, got " + shown(nonce));
    }
    return nonce;
  }

  /**
   * An account in SparkGrid's form: {@code 0x} and 40 lower-case hex digits.
   *
   * @throws IllegalArgumentException naming {@code field} and the value if it is not {@code 0x} and 40 hex digits
   */
  public static String account(String field, String value) {
    if (value == null || !ACCOUNT.matcher(value).matches()) {
      throw new IllegalArgumentException(field + ": must be an account, 0x and 40 hex digits, got " + shown(value));
    }
    return value.toLowerCase(Locale.ROOT);
  }

  private static String shown(String v) {
    if (v == null) {
      return "nothing";
    }
    return v.length() <= 80 ? "'" + v + "'" : v.length() + " characters";
  }

  private static byte[] sha256(byte[] body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
