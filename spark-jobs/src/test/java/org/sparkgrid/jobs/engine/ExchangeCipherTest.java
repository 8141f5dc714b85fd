package org.sparkgrid.jobs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The exchange's AES-GCM framing, over byte arrays. */
class ExchangeCipherTest {
  private final byte[] secret = Exchange.newSecret();
  private final byte[] sn = Exchange.newSecret();
  private final byte[] wn = Exchange.newSecret();
  private final SecretKeySpec up = ExchangeAuth.upKey(secret, sn, wn);

  private byte[] seal(byte[]... writes) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    OutputStream out = ExchangeCipher.sealing(raw, up);
    for (byte[] w : writes) {
      out.write(w);
      out.flush();
    }
    return raw.toByteArray();
  }

  @Test
  void whatIsWrittenIsReadBackAcrossFrames() throws Exception {
    byte[] big = new byte[ExchangeCipher.FRAME * 2 + 12345];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    byte[] sealed = seal(new byte[] {1, 2, 3}, big);

    DataInputStream in = new DataInputStream(ExchangeCipher.opening(new ByteArrayInputStream(sealed), up));
    byte[] small = new byte[3];
    in.readFully(small);
    byte[] back = new byte[big.length];
    in.readFully(back);

    assertThat(small).containsExactly(1, 2, 3);
    assertThat(back).isEqualTo(big);
    assertThat(in.read()).isEqualTo(-1);
    // 4 frames: 3 bytes, then a full frame, another and the rest; each adds a length and a tag
    assertThat(sealed).hasSize(3 + big.length + 4 * (4 + ExchangeCipher.TAG_BYTES));
  }

  @Test
  void theCiphertextDoesNotContainThePlaintext() throws Exception {
    byte[] text = "parameters of worker 0, in the clear".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] sealed = seal(text);

    assertThat(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("parameters");
  }

  @Test
  void aFlippedBitFailsTheFrame() throws Exception {
    byte[] sealed = seal(new byte[] {10, 20, 30, 40});
    sealed[6] ^= 1;

    InputStream in = ExchangeCipher.opening(new ByteArrayInputStream(sealed), up);
    assertThatThrownBy(in::read).isInstanceOf(IOException.class)
        .hasMessage("exchange frame 0 failed its authentication tag (altered, replayed or out of order)");
  }

  @Test
  void aReplayedFrameFails() throws Exception {
    byte[] one = seal(new byte[] {7});
    byte[] twice = Arrays.copyOf(one, one.length * 2);
    System.arraycopy(one, 0, twice, one.length, one.length);

    InputStream in = ExchangeCipher.opening(new ByteArrayInputStream(twice), up);
    assertThat(in.read()).isEqualTo(7);
    assertThatThrownBy(in::read).isInstanceOf(IOException.class)
        .hasMessage("exchange frame 1 failed its authentication tag (altered, replayed or out of order)");
  }

  @Test
  void theOtherDirectionsKeyCannotOpenIt() throws Exception {
    byte[] sealed = seal(new byte[] {1});

    InputStream in = ExchangeCipher.opening(new ByteArrayInputStream(sealed), ExchangeAuth.downKey(secret, sn, wn));
    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("failed its authentication tag");
  }

  @Test
  void anOversizedLengthIsRefusedBeforeReading() {
    byte[] bogus = {0x7f, 0, 0, 0, 1, 2, 3};

    InputStream in = ExchangeCipher.opening(new ByteArrayInputStream(bogus), up);
    assertThatThrownBy(in::read).isInstanceOf(IOException.class)
        .hasMessage("exchange frame 0 claims 2130706432 bytes (at most " + ExchangeCipher.FRAME + ")");
  }
}
