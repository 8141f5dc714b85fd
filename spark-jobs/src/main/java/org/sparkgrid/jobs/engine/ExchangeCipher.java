package org.sparkgrid.jobs.engine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM framing of one direction of an exchange connection, with the JDK's {@code javax.crypto}:
 *
 * <pre>
 * frame: plaintext length int, then ciphertext of that length + 16-byte tag
 * IV:    4 zero bytes || frame counter (8 bytes, big-endian), from 0 in each direction
 * </pre>
 *
 * Each direction of each connection has its own key ({@link ExchangeAuth#upKey}, {@link
 * ExchangeAuth#downKey}), so an IV never repeats under a key; the counter also makes a dropped,
 * reordered or replayed frame fail its tag. Any frame that fails ends the connection with an
 * {@link IOException}.
 *
 * <p>Why AES-GCM framing rather than TLS: TLS needs a certificate, and the JDK has no public API to
 * make a self-signed one; here both ends already share a per-job secret, so the keys follow from it
 * and the handshake's nonces, with no certificate, no extra round trip and no extra dependency.
 *
 * <pre>{@code
 * OutputStream up = ExchangeCipher.sealing(socketOut, ExchangeAuth.upKey(secret, sn, wn));
 * InputStream down = ExchangeCipher.opening(socketIn, ExchangeAuth.downKey(secret, sn, wn));
 * }</pre>
 */
final class ExchangeCipher {
  /**
   * Plaintext bytes per frame at most. 64 KiB rather than more: the JDK's AES-GCM runs at memory-like
   * speed only once its intrinsics are compiled, which takes a number of calls, not of bytes; with 1 MiB
   * frames the first few hundred MB ran at 10-30 MB/s here, with 64 KiB frames the first few dozen.
   */
  static final int FRAME = 1 << 16;
  static final int TAG_BYTES = 16;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private ExchangeCipher() {}

  /** A stream that encrypts what is written into frames on {@code raw}, one per flush or full buffer. */
  static OutputStream sealing(OutputStream raw, SecretKeySpec key) {
    return new Sealing(raw, key);
  }

  /** A stream that reads frames from {@code raw} and gives back their checked plaintext. */
  static InputStream opening(InputStream raw, SecretKeySpec key) {
    return new Opening(raw, key);
  }

  private static GCMParameterSpec iv(long counter) {
    byte[] iv = new byte[12];
    for (int i = 0; i < 8; i++) {
      iv[4 + i] = (byte) (counter >>> (56 - 8 * i));
    }
    return new GCMParameterSpec(TAG_BYTES * 8, iv);
  }

  private static Cipher cipher() {
    try {
      return Cipher.getInstance(TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no " + TRANSFORMATION, e);
    }
  }

  private static final class Sealing extends OutputStream {
    private final DataOutputStream raw;
    private final SecretKeySpec key;
    private final Cipher cipher = cipher();
    private final byte[] plain = new byte[FRAME];
    private final byte[] sealed = new byte[FRAME + TAG_BYTES];
    private int filled;
    private long counter;

    Sealing(OutputStream raw, SecretKeySpec key) {
      this.raw = new DataOutputStream(raw);
      this.key = key;
    }

    @Override
    public void write(int b) throws IOException {
      if (filled == FRAME) {
        seal();
      }
      plain[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (filled == FRAME) {
          seal();
        }
        int n = Math.min(len, FRAME - filled);
        System.arraycopy(b, off, plain, filled, n);
        filled += n;
        off += n;
        len -= n;
      }
    }

    @Override
    public void flush() throws IOException {
      if (filled > 0) {
        seal();
      }
      raw.flush();
    }

    @Override
    public void close() throws IOException {
      try {
        flush();
      } finally {
        raw.close();
      }
    }

    private void seal() throws IOException {
      int n;
      try {
        cipher.init(Cipher.ENCRYPT_MODE, key, iv(counter++));
        n = cipher.doFinal(plain, 0, filled, sealed, 0);
      } catch (GeneralSecurityException e) {
        throw new IOException("could not encrypt exchange frame " + (counter - 1) + ": " + e, e);
      }
      raw.writeInt(filled);
      raw.write(sealed, 0, n);
      filled = 0;
    }
  }

  private static final class Opening extends InputStream {
    private final DataInputStream raw;
    private final SecretKeySpec key;
    private final Cipher cipher = cipher();
    private final byte[] plain = new byte[FRAME];
    private final byte[] sealed = new byte[FRAME + TAG_BYTES];
    private int pos;
    private int limit;
    private long counter;

    Opening(InputStream raw, SecretKeySpec key) {
      this.raw = new DataInputStream(raw);
      this.key = key;
    }

    @Override
    public int read() throws IOException {
      if (pos == limit && !open()) {
        return -1;
      }
      return plain[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (pos == limit && !open()) {
        return -1;
      }
      int n = Math.min(len, limit - pos);
      System.arraycopy(plain, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public int available() {
      return limit - pos;
    }

    @Override
    public void close() throws IOException {
      raw.close();
    }

    /** Reads and decrypts the next frame; false at a clean end of stream between frames. */
    private boolean open() throws IOException {
      int n;
      try {
        n = raw.readInt();
      } catch (EOFException e) {
        return false;
      }
      if (n <= 0 || n > FRAME) {
        throw new IOException("exchange frame " + counter + " claims " + n + " bytes (at most " + FRAME + ")");
      }
      raw.readFully(sealed, 0, n + TAG_BYTES);
      try {
        cipher.init(Cipher.DECRYPT_MODE, key, iv(counter++));
        limit = cipher.doFinal(sealed, 0, n + TAG_BYTES, plain, 0);
      } catch (AEADBadTagException e) {
        throw new IOException("exchange frame " + (counter - 1) + " failed its authentication tag"
            + " (altered, replayed or out of order)", e);
      } catch (GeneralSecurityException e) {
        throw new IOException("could not decrypt exchange frame " + (counter - 1) + ": " + e, e);
      }
      pos = 0;
      return true;
    }
  }
}
