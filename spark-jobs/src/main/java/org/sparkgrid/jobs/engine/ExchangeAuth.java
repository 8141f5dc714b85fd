package org.sparkgrid.jobs.engine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The exchange's challenge-response and key derivation: pure functions of the job's secret, the two
 * nonces of a connection and the worker's hello, all HMAC-SHA256 (the JDK's {@code javax.crypto}).
 *
 * <ul>
 *   <li>answer (worker to server) = HMAC(secret, "hello" label || server nonce || worker nonce ||
 *       round || attempt || worker || workers || length || encrypted);
 *   <li>proof (server to worker) = the same under the "welcome" label;
 *   <li>the key of each direction = HMAC(secret, direction label || server nonce || worker nonce),
 *       256 bits for AES-GCM: a new key per connection and direction, so a frame counter never
 *       repeats under one key.
 *   <li>between two workers of the peer exchange ({@link PeerExchange}) the same three, under labels of
 *       their own, with the listening worker in the server's place and the dialing one in the worker's.
 * </ul>
 *
 * <pre>{@code
 * byte[] secret = Exchange.newSecret();
 * byte[] a = ExchangeAuth.answer(secret, serverNonce, workerNonce, hello, false);
 * boolean ok = ExchangeAuth.same(a, received);   // constant time
 * }</pre>
 */
final class ExchangeAuth {
  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] HELLO = label("sparkgrid exchange v2 hello");
  private static final byte[] WELCOME = label("sparkgrid exchange v2 welcome");
  private static final byte[] UP = label("sparkgrid exchange v2 key worker->server");
  private static final byte[] DOWN = label("sparkgrid exchange v2 key server->worker");
  private static final byte[] PEER_HELLO = label("sparkgrid peer exchange v1 hello");
  private static final byte[] PEER_WELCOME = label("sparkgrid peer exchange v1 welcome");
  private static final byte[] PEER_DIAL = label("sparkgrid peer exchange v1 key dialer->listener");
  private static final byte[] PEER_LISTEN = label("sparkgrid peer exchange v1 key listener->dialer");

  private ExchangeAuth() {}

  /** What a worker holding {@code secret} answers to the server's challenge. */
  static byte[] answer(byte[] secret, byte[] serverNonce, byte[] workerNonce, Exchange.Hello h, boolean encrypted) {
    return mac(secret, HELLO, serverNonce, workerNonce, fields(h, encrypted));
  }

  /** What the server sends back to show the worker that it, too, holds {@code secret}. */
  static byte[] proof(byte[] secret, byte[] serverNonce, byte[] workerNonce, Exchange.Hello h, boolean encrypted) {
    return mac(secret, WELCOME, serverNonce, workerNonce, fields(h, encrypted));
  }

  /** The AES-256 key of the worker-to-server direction of one connection. */
  static SecretKeySpec upKey(byte[] secret, byte[] serverNonce, byte[] workerNonce) {
    return new SecretKeySpec(mac(secret, UP, serverNonce, workerNonce, new byte[0]), "AES");
  }

  /** The AES-256 key of the server-to-worker direction of one connection. */
  static SecretKeySpec downKey(byte[] secret, byte[] serverNonce, byte[] workerNonce) {
    return new SecretKeySpec(mac(secret, DOWN, serverNonce, workerNonce, new byte[0]), "AES");
  }

  /**
   * What a worker dialing a peer's listener answers to its challenge: as {@link #answer}, under its own
   * label (so no driver-exchange answer is ever a peer answer), over the listener's nonce, the dialer's
   * nonce and every field of the peer hello.
   */
  static byte[] peerAnswer(byte[] secret, byte[] listenerNonce, byte[] dialerNonce, Exchange.PeerHello h,
      boolean encrypted) {
    return mac(secret, PEER_HELLO, listenerNonce, dialerNonce, fields(h, encrypted));
  }

  /** What the listening peer sends back to show the dialer that it, too, holds {@code secret}. */
  static byte[] peerProof(byte[] secret, byte[] listenerNonce, byte[] dialerNonce, Exchange.PeerHello h,
      boolean encrypted) {
    return mac(secret, PEER_WELCOME, listenerNonce, dialerNonce, fields(h, encrypted));
  }

  /** The AES-256 key of one direction of a peer connection: dialer to listener, or listener to dialer. */
  static SecretKeySpec peerKey(byte[] secret, byte[] listenerNonce, byte[] dialerNonce, boolean fromDialer) {
    return new SecretKeySpec(mac(secret, fromDialer ? PEER_DIAL : PEER_LISTEN, listenerNonce, dialerNonce,
        new byte[0]), "AES");
  }

  /** Compares two MACs in time independent of where they differ. */
  static boolean same(byte[] expected, byte[] got) {
    return MessageDigest.isEqual(expected, got);
  }

  private static byte[] fields(Exchange.Hello h, boolean encrypted) {
    return ByteBuffer.allocate(8 + 4 * 4 + 1)
        .putLong(h.round()).putInt(h.attempt()).putInt(h.worker()).putInt(h.workers()).putInt(h.length())
        .put((byte) (encrypted ? 1 : 0))
        .array();
  }

  private static byte[] fields(Exchange.PeerHello h, boolean encrypted) {
    return ByteBuffer.allocate(8 + 5 * 4 + 1)
        .putLong(h.round()).putInt(h.attempt()).putInt(h.from()).putInt(h.to()).putInt(h.workers())
        .putInt(h.length()).put((byte) (encrypted ? 1 : 0))
        .array();
  }

  private static byte[] mac(byte[] secret, byte[] label, byte[] serverNonce, byte[] workerNonce, byte[] rest) {
    try {
      Mac m = Mac.getInstance(ALGORITHM);
      m.init(new SecretKeySpec(secret, ALGORITHM));
      m.update(label);
      m.update(serverNonce);
      m.update(workerNonce);
      m.update(rest);
      return m.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no " + ALGORITHM, e);
    }
  }

  /** A label, length-prefixed so that no label is a prefix of another's input. */
  private static byte[] label(String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(1 + b.length).put((byte) b.length).put(b).array();
  }
}
