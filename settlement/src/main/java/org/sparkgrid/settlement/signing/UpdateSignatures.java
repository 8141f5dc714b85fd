package org.sparkgrid.settlement.signing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Consumer;
import org.sparkgrid.settlement.chain.ChainKey;
import org.web3j.crypto.Hash;

/**
 * A site signs each of its tree-mode updates with the key of its Ethereum account (secp256k1), and
 * the coordinator recovers the signer's address from the signature and compares it with the
 * site's account in the federation file.
 *
 * <p>What is signed is a 32-byte digest, Keccak-256 of
 * <pre>
 * "SparkGrid update v1" 0x00 jobId 0x00 siteId 0x00 round (4 bytes, big-endian)
 *     examples (8 bytes, big-endian) Keccak-256(delta)
 * </pre>
 * where the delta's hash is over its IEEE 754 float bits, 4 bytes a value, little-endian (the
 * checkpoint codec's order). Ids never hold a 0 byte, so the fields cannot run into each other.
 *
 * <p>An update that also carries the facts of the strategies for heterogeneous sites (its local
 * steps for FedNova, its control-variate delta for SCAFFOLD) is signed as version 2, which covers
 * them too:
 * <pre>
 * "SparkGrid update v2" 0x00 jobId 0x00 siteId 0x00 round (4 bytes, big-endian)
 *     examples (8 bytes, big-endian) Keccak-256(delta) localSteps (8 bytes, big-endian)
 *     Keccak-256(controlDelta), or 32 zero bytes without one
 * </pre>
 * An update without those facts (local steps 0, no control delta) is signed as version 1, so a
 * signature made before version 2 existed still verifies. The version follows from the facts the
 * update arrives with ({@link #digestOfHash(String, int, String, byte[], long, long, float[])}): a
 * site signs one version, and facts added or stripped on the way recover another address.
 * The digest is signed as an Ethereum personal message (EIP-191, {@code "\x19Ethereum Signed
 * Message:\n32"} then the digest): what {@code eth_sign}, {@code personal_sign} and hardware wallets
 * sign, so a site may sign with any of them. The signature is {@code 0x} then r, s and v (65 bytes,
 * 130 hex digits), as those tools print it.
 *
 * <pre>{@code
 * byte[] digest = UpdateSignatures.digestOfHash("fed-0001", 3, "site-02", UpdateSignatures.deltaHash(delta), 1200,
 *     19, controlDelta);                                                       // v2; controlDelta may be null
 * String signature = UpdateSignatures.sign(siteKey, digest);                 // on the site
 * boolean genuine = UpdateSignatures.signer(digest, signature).equals(account.toLowerCase());   // on the coordinator
 * }</pre>
 */
public final class UpdateSignatures {
  /** The first bytes of every signed digest: what and which version. */
  public static final String DOMAIN = "SparkGrid update v1";
  /** The first bytes of a digest that also covers the local steps and the control-variate delta. */
  public static final String DOMAIN_V2 = "SparkGrid update v2";

  private UpdateSignatures() {}

  /** Keccak-256 of the delta's float bits, 4 bytes a value, little-endian. */
  public static byte[] deltaHash(float[] delta) {
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(delta.length, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(delta);
    return Hash.sha3(b.array());
  }

  /**
   * The digest a site signs for one update; see the class comment.
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
    return digest(DOMAIN, jobId, round, siteId, deltaHash, examples, 0, b -> { });
  }

  /** Keccak-256 of the common head of both versions, then {@code tail} more bytes that {@code more} puts. */
  private static byte[] digest(String domainText, String jobId, int round, String siteId, byte[] deltaHash,
      long examples, int tail, Consumer<ByteBuffer> more) {
    Objects.requireNonNull(deltaHash, "deltaHash");
    if (deltaHash.length != 32) {
      throw new IllegalArgumentException("deltaHash must be 32 bytes (Keccak-256), got " + deltaHash.length);
    }
    byte[] job = id(jobId, "jobId");
    byte[] site = id(siteId, "siteId");
    byte[] domain = domainText.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(domain.length + 1 + job.length + 1 + site.length + 1 + 4 + 8 + 32 + tail);
    b.put(domain).put((byte) 0).put(job).put((byte) 0).put(site).put((byte) 0).putInt(round).putLong(examples)
        .put(deltaHash);
    more.accept(b);
    return Hash.sha3(b.array());
  }

  /**
   * The digest a site signs for an update with its local steps and control-variate delta: version 2
   * of the class comment, or version 1 ({@link #digestOfHash(String, int, String, byte[], long)})
   * when {@code localSteps} is 0 and {@code controlDelta} is null.
   *
   * @param localSteps   the site's local steps this round (0: not reported)
   * @param controlDelta SCAFFOLD's {@code c_i+ - c_i}, or null
   * @throws IllegalArgumentException if an id is empty or holds a 0 character, the hash is not 32
   *     bytes, or {@code localSteps < 0}
   */
  public static byte[] digestOfHash(String jobId, int round, String siteId, byte[] deltaHash, long examples,
      long localSteps, float[] controlDelta) {
    if (localSteps < 0) {
      throw new IllegalArgumentException("localSteps must be >= 0, got " + localSteps);
    }
    if (localSteps == 0 && controlDelta == null) {
      return digestOfHash(jobId, round, siteId, deltaHash, examples);
    }
    byte[] control = controlDelta == null ? new byte[32] : deltaHash(controlDelta);
    return digest(DOMAIN_V2, jobId, round, siteId, deltaHash, examples, 8 + 32, b -> b.putLong(localSteps).put(control));
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
