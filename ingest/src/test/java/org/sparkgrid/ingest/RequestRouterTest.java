package org.sparkgrid.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RequestRouterTest {

  private final RequestRouter router = new RequestRouter(1000);

  private Refusal refused(String key, byte[] value, String priority) {
    RequestRouter.Route r = router.route(key == null ? null : key.getBytes(UTF_8), value,
        priority == null ? null : priority.getBytes(UTF_8));
    assertThat(r).isInstanceOf(Refusal.class);
    return (Refusal) r;
  }

  @Test
  void acceptsAValidRequestKeyedByItsIdWithPriorityZero() {
    RequestRouter.Route r = router.route("a-1".getBytes(UTF_8), TestRequests.bytes("a-1"), null);

    assertThat(r).isEqualTo(new RequestRouter.Accepted(TestRequests.request("a-1"), 0));
  }

  @Test
  void readsThePriorityHeader() {
    RequestRouter.Route r = router.route("a-1".getBytes(UTF_8), TestRequests.bytes("a-1"), " 7".getBytes(UTF_8));

    assertThat(((RequestRouter.Accepted) r).priority()).isEqualTo(7);
  }

  @Test
  void refusesTruncatedJsonAsInvalidJson() {
    Refusal f = refused("a-1", "{\"schema\": 1, \"id\": ".getBytes(UTF_8), null);

    assertThat(f.reason()).isEqualTo(Refusal.Reason.INVALID_JSON);
    assertThat(f.field()).isEqualTo("$");
    assertThat(f.message()).startsWith("$: not valid JSON");
  }

  @Test
  void refusesARecordWithoutValueAsInvalidJson() {
    Refusal f = refused("a-1", null, null);

    assertThat(f.reason()).isEqualTo(Refusal.Reason.INVALID_JSON);
    assertThat(f.message()).isEqualTo("$: the record has no value");
  }

  @Test
  void refusesMalformedUtf8() {
    Refusal f = refused("a-1", new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, null);

    assertThat(f.reason()).isEqualTo(Refusal.Reason.INVALID_UTF8);
    assertThat(f.message()).isEqualTo("$: not valid UTF-8");
  }

  @Test
  void refusesMoreBytesThanTheLimitBeforeParsing() {
    Refusal f = refused("a-1", new byte[1001], null);

    assertThat(f.reason()).isEqualTo(Refusal.Reason.TOO_LARGE);
    assertThat(f.message()).isEqualTo("$: the request is 1001 bytes, more than the limit of 1000");
  }

  @Test
  void refusesAnotherSchemaVersionAsUnsupported() {
    Refusal f = refused("a-1", TestRequests.json("a-1").replace("\"schema\": 1", "\"schema\": 2").getBytes(UTF_8), null);

    assertThat(f.reason()).isEqualTo(Refusal.Reason.UNSUPPORTED_SCHEMA);
    assertThat(f.field()).isEqualTo("schema");
    assertThat(f.value()).isEqualTo("2");
  }

  @Test
  void refusesASchemaThatIsNotANumberAsAnInvalidRequest() {
    Refusal f = refused("a-1", TestRequests.json("a-1").replace("\"schema\": 1", "\"schema\": \"one\"").getBytes(UTF_8), null);

    assertThat(f.reason()).isEqualTo(Refusal.Reason.INVALID_REQUEST);
    assertThat(f.field()).isEqualTo("schema");
  }

  @Test
  void refusesAnOutOfRangeFieldNamingFieldAndValue() {
    Refusal f = refused("a-1", TestRequests.json("a-1").replace("\"batchSize\": 64", "\"batchSize\": 0").getBytes(UTF_8), null);

    assertThat(f.reason()).isEqualTo(Refusal.Reason.INVALID_REQUEST);
    assertThat(f.field()).isEqualTo("training.batchSize");
    assertThat(f.value()).isEqualTo("0");
    assertThat(f.message()).isEqualTo("training.batchSize: must be between 1 and 65536, got 0");
  }

  @Test
  void refusesARequestWithoutId() {
    Refusal f = refused("a-1", TestRequests.json("a-1").replace("\"id\": \"a-1\",", "").getBytes(UTF_8), null);

    assertThat(f.reason()).isEqualTo(Refusal.Reason.INVALID_REQUEST);
    assertThat(f.field()).isEqualTo("id");
  }

  @Test
  void refusesAValidRequestWithoutKey() {
    Refusal f = refused(null, TestRequests.bytes("a-1"), null);

    assertThat(f.reason()).isEqualTo(Refusal.Reason.MISSING_KEY);
    assertThat(f.message()).isEqualTo("key: the record has no key; it must be the request id a-1");
  }

  @Test
  void refusesAKeyThatIsNotTheId() {
    Refusal f = refused("b-2", TestRequests.bytes("a-1"), null);

    assertThat(f.reason()).isEqualTo(Refusal.Reason.KEY_MISMATCH);
    assertThat(f.message()).isEqualTo("key: must be the request id a-1, got b-2");
  }

  @Test
  void refusesAPriorityOutOfRange() {
    Refusal f = refused("a-1", TestRequests.bytes("a-1"), "1001");

    assertThat(f.reason()).isEqualTo(Refusal.Reason.INVALID_HEADER);
    assertThat(f.message()).isEqualTo("sparkgrid.priority: must be an integer between -1000 and 1000, got 1001");
  }

  @Test
  void refusesALimitBelowOne() {
    assertThatThrownBy(() -> new RequestRouter(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRequestBytes must be at least 1, got 0");
  }
}
