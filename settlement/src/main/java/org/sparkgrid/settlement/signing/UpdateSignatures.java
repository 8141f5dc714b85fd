package org.sparkgrid.settlement.signing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import org.sparkgrid.settlement.chain.ChainKey;
import org.web3j.crypto.Hash;

/**
 * A site signs each of its tree-mode updates with the key of its Ethereum account (secp256k1), and
 * the coordinator recovers the signer's address from the signature and compares it with the
 * site's account in the federation file.
 *
 * <p>What is signed is a 32-byte digest, Keccak-256 of
 * <pre>
 * "SparkGrid update v3" 0x00 jobId 0x00 siteId 0x00 round (4 bytes, big-endian)
 *     examples (8 bytes, big-endian) SHA-256(delta) localSteps (8 bytes, big-endian)
 *     SHA-256(controlDelta), or 32 zero bytes without one
 * </pre>
 * where a vector's hash is over its IEEE 754 float bits, 4 bytes a value, little-endian (the
 * checkpoint codec's order). Ids never hold a 0 byte, so the fields cannot run into each other.
 * {@code localSteps} is the site's local minibatch steps (FedNova), 0 when not reported;
 * {@code controlDelta} SCAFFOLD's control-variate delta. So every fact a strategy merges is signed.
 *
 * <p>Version 3 hashes the vectors with SHA-256 where versions 1 and 2 used Keccak-256: a site hashes
 * its whole update (4 MB for a million parameters) once per round, and the JDK's SHA-256 (with the
 * processor's SHA instructions) runs several times faster than a Keccak in Java
 * ({@code benchmarks/run round-overhead} prints both). Only the short digest above is Keccak-256, as
 * Ethereum signs. Every site task runs the coordinator's own code (Spark ships it), so all sites of a
 * federation sign one version; a signature of an older version recovers another address and the
 * update is refused as not signed by the site.
 *
 * <p>The digest is signed as an Ethereum personal message (EIP-191, {@code "\x19Ethereum Signed
 * Message:\n32"} then the digest): what {@code eth_sign}, {@code personal_sign} and hardware wallets
 * sign, so a site may sign with any of them. The signature is {@code 0x} then r, s and v (65 bytes,
 * 130 hex digits), as those tools print it.
 *
 * <pre>{@code
 * byte[] digest = UpdateSignatures.digestOfHash("fed-0001", 3, "site-02", UpdateSignatures.deltaHash(delta), 1200,
 *     19, controlDelta);                                                       // controlDelta may be null
 * String signature = UpdateSignatures.sign(siteKey, digest);                 // on the site
 * boolean genuine = UpdateSignatures.signer(digest, signature).equals(account.toLowerCase());   // on the coordinator
 * }</pre>
 */
public final class UpdateSignatures {
  /** The first bytes of every signed digest: what and which version. */
  public static final String DOMAIN = "SparkGrid update v3";
  private static final int HASH_BYTES = 32;

  private UpdateSignatures() {}

  /** SHA-256 of the vector's float bits, 4 bytes a value, little-endian. */
  public static byte[] deltaHash(float[] delta) {
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(delta.length, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(delta);
    try {
      return MessageDigest.getInstance("SHA-256").digest(b.array());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * The digest a site signs for one update without local steps or a control delta; see the class comment.
   *
   * @throws IllegalArgumentException if an id is empty or holds a 0 character
   */
  public static byte[] digest(String jobId, int round, String siteId, float[] delta, long examples) {
    return digestOfHash(jobId, round, siteId, deltaHash(delta), examples);
  }

  /**
   * The same digest as {@link #digest} from the delta's {@link #deltaHash} instead of the delta: what
   * a coordinator that never receives the delta recomputes.
   *
   * @throws IllegalArgumentException if an id is empty or holds a 0 character, or the hash is not 32 bytes
   */
  public static byte[] digestOfHash(String jobId, int round, String siteId, byte[] deltaHash, long examples) {
    return digestOfHash(jobId, round, siteId, deltaHash, examples, 0, null);
  }

  /**
   * The digest a site signs for an update with its local steps and control-variate delta (the class
   * comment's layout).
   *
   * @param deltaHash    {@link #deltaHash} of the update's delta
   * @param localSteps   the site's local steps this round (0: not reported)
   * @param controlDelta SCAFFOLD's {@code c_i+ - c_i}, or null
   * @throws IllegalArgumentException if an id is empty or holds a 0 character, the hash is not 32
   *     bytes, or {@code localSteps < 0}
   */
  public static byte[] digestOfHash(String jobId, int round, String siteId, byte[] deltaHash, long examples,
      long localSteps, float[] controlDelta) {
    Objects.requireNonNull(deltaHash, "deltaHash");
    if (deltaHash.length != HASH_BYTES) {
      throw new IllegalArgumentException("deltaHash must be 32 bytes (SHA-256), got " + deltaHash.length);
    }
    if (localSteps < 0) {
      throw new IllegalArgumentException("localSteps must be >= 0, got " + localSteps);
    }
    byte[] job = id(jobId, "jobId");
    byte[] site = id(siteId, "siteId");
    byte[] domain = DOMAIN.getBytes(StandardCharsets.US_ASCII);
    byte[] control = controlDelta == null ? new byte[HASH_BYTES] : deltaHash(controlDelta);
    ByteBuffer b = ByteBuffer.allocate(domain.length + 1 + job.length + 1 + site.length + 1 + 4 + 8 + HASH_BYTES + 8
        + HASH_BYTES);
    b.put(domain).put((byte) 0).put(job).put((byte) 0).put(site).put((byte) 0).putInt(round).putLong(examples)
        .put(deltaHash).putLong(localSteps).put(control);
    return Hash.sha3(b.array());
  }

  /** Signs a digest as an Ethereum personal message: {@code 0x} + r, s, v in hex. */
  public static String sign(ChainKey key, byte[] digest) {
    return PersonalSignatures.sign(key, digest32(digest));
  }

  /**
   * The address (0x and 40 lower-case hex digits) whose key signed {@code digest}. A signature of
   * another digest (a changed update) recovers some other address, never an error.
   *
   * @throws IllegalArgumentException if the signature is not 0x and 130 hex digits, or recovers no
   *     key (its v is not 27 or 28, or r and s are off the curve)
   */
  public static String signer(byte[] digest, String signature) {
    return PersonalSignatures.signer(digest32(digest), signature);
  }

  private static byte[] digest32(byte[] digest) {
    if (digest.length != 32) {
      throw new IllegalArgumentException("digest must be 32 bytes, got " + digest.length);
    }
    return digest;
  }

  private static byte[] id(String id, String what) {
    Objects.requireNonNull(id, what);
    if (id.isEmpty() || id.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(what + " must be non-empty and hold no 0 character, got '"
          + id.replace("\0", "\\0") + "'");
    }
    return id.getBytes(StandardCharsets.UTF_8);
  }
}
