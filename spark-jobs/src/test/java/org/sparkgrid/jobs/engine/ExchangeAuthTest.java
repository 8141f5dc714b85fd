package org.sparkgrid.jobs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The challenge-response MACs: pure functions of the secret, the nonces and the hello. */
class ExchangeAuthTest {
  private final byte[] secret = Exchange.newSecret();
  private final byte[] sn = Exchange.newSecret();
  private final byte[] wn = Exchange.newSecret();
  private final Exchange.Hello hello = new Exchange.Hello(3, 0, 1, 2, 100);

  @Test
  void theSameInputsGiveTheSameAnswer() {
    assertThat(ExchangeAuth.same(ExchangeAuth.answer(secret, sn, wn, hello, false),
        ExchangeAuth.answer(secret.clone(), sn.clone(), wn.clone(), new Exchange.Hello(3, 0, 1, 2, 100), false)))
        .isTrue();
    assertThat(ExchangeAuth.answer(secret, sn, wn, hello, false)).hasSize(Exchange.SECRET_BYTES);
  }

  @Test
  void everyInputChangesTheAnswer() {
    byte[] a = ExchangeAuth.answer(secret, sn, wn, hello, false);
    byte[] otherSecret = secret.clone();
    otherSecret[31] ^= 1;

    assertThat(ExchangeAuth.answer(otherSecret, sn, wn, hello, false)).isNotEqualTo(a);
    assertThat(ExchangeAuth.answer(secret, Exchange.newSecret(), wn, hello, false)).as("a new challenge").isNotEqualTo(a);
    assertThat(ExchangeAuth.answer(secret, sn, Exchange.newSecret(), hello, false)).isNotEqualTo(a);
    assertThat(ExchangeAuth.answer(secret, sn, wn, new Exchange.Hello(4, 0, 1, 2, 100), false)).isNotEqualTo(a);
    assertThat(ExchangeAuth.answer(secret, sn, wn, new Exchange.Hello(3, 1, 1, 2, 100), false)).isNotEqualTo(a);
    assertThat(ExchangeAuth.answer(secret, sn, wn, new Exchange.Hello(3, 0, 0, 2, 100), false)).isNotEqualTo(a);
    assertThat(ExchangeAuth.answer(secret, sn, wn, hello, true)).as("a downgrade from encrypted").isNotEqualTo(a);
  }

  @Test
  void theServersProofIsNotTheWorkersAnswer() {
    assertThat(ExchangeAuth.proof(secret, sn, wn, hello, false))
        .isNotEqualTo(ExchangeAuth.answer(secret, sn, wn, hello, false));
    assertThat(ExchangeAuth.upKey(secret, sn, wn).getEncoded())
        .isNotEqualTo(ExchangeAuth.downKey(secret, sn, wn).getEncoded())
        .hasSize(32);
  }

  @Test
  void sameComparesWholeArrays() {
    byte[] a = {1, 2, 3};

    assertThat(ExchangeAuth.same(a, new byte[] {1, 2, 3})).isTrue();
    assertThat(ExchangeAuth.same(a, new byte[] {1, 2, 4})).isFalse();
    assertThat(ExchangeAuth.same(a, new byte[] {1, 2})).isFalse();
  }
}
