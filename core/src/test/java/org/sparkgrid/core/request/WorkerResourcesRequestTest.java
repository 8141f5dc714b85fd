package org.sparkgrid.core.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sparkgrid.core.request.RequestCodecTest.MINIMAL;
import static org.sparkgrid.core.request.RequestCodecTest.with;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A request's {@code engine.resources}: what each worker needs from its executor. */
class WorkerResourcesRequestTest {

  private static TrainingRequest parseResources(String resourcesJson) {
    return RequestCodec.parse(with(MINIMAL, "engine", "{\"resources\": " + resourcesJson + "}"));
  }

  @Test
  void readsCoresMemoryAndGpus() {
    TrainingRequest r = parseResources("{\"cores\": 4, \"memoryMb\": 8192, \"gpus\": 1}");

    assertThat(r.engine().resources()).isEqualTo(new WorkerResources(4, 8192, 1));
    assertThat(r.engine().workers()).isEqualTo(2);
  }

  @Test
  void leavesUnstatedCoresAndMemoryToTheClusterAndGpusAtZero() {
    WorkerResources r = parseResources("{\"memoryMb\": 2048}").engine().resources();

    assertThat(r).isEqualTo(new WorkerResources(null, 2048, 0));
    assertThat(r.coresOr(2)).isEqualTo(2);
  }

  @Test
  void noResourcesMeansNone() {
    assertThat(RequestCodec.parse(MINIMAL).engine().resources()).isNull();
  }

  @Test
  void writesAndReadsBackTheSameResources() {
    TrainingRequest r = parseResources("{\"cores\": 2, \"gpus\": 1}");

    String written = new String(RequestCodec.write(r), StandardCharsets.UTF_8);

    assertThat(written).contains("\"engine\":{\"type\":\"sparkgrid\",\"workers\":2,\"averagingFrequency\":10,"
        + "\"shuffle\":true,\"resources\":{\"cores\":2,\"gpus\":1}}");
    assertThat(RequestCodec.parse(written)).isEqualTo(r);
  }

  @Test
  void refusesAnEmptyObject() {
    assertThatThrownBy(() -> parseResources("{}"))
        .hasMessage("engine.resources: must state at least one of cores, memoryMb, gpus");
  }

  @Test
  void refusesAnUnknownField() {
    assertThatThrownBy(() -> parseResources("{\"gpu\": 1}"))
        .hasMessage("engine.resources.gpu: unknown field; known fields: cores, memoryMb, gpus");
  }

  @Test
  void refusesValuesOutOfRangeNamingTheField() {
    assertThatThrownBy(() -> parseResources("{\"cores\": 0}"))
        .hasMessage("engine.resources.cores: must be between 1 and 1024, got 0");
    assertThatThrownBy(() -> parseResources("{\"gpus\": 65}"))
        .hasMessage("engine.resources.gpus: must be between 0 and 64, got 65");
    assertThatThrownBy(() -> parseResources("{\"memoryMb\": \"8g\"}"))
        .hasMessage("engine.resources.memoryMb: must be an integer, got \"8g\"");
  }

  @Test
  void refusesResourcesForTheDl4jEngine() {
    String json = with(MINIMAL, Map.of("engine", "{\"type\": \"dl4j\", \"resources\": {\"gpus\": 1}}"));

    assertThatThrownBy(() -> RequestCodec.parse(json))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("engine.resources: only allowed when engine.type is sparkgrid, got type dl4j");
  }
}
