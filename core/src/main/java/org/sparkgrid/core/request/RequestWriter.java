package org.sparkgrid.core.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.sparkgrid.core.request.DataSpec.Format;

/**
 * Turns a {@link TrainingRequest} into its canonical JSON tree: every field written, defaults
 * included, in the order of the schema; absent optional parts left out; csv-only fields only for
 * csv; only the sub-object of the chosen architecture.
 */
final class RequestWriter {

  private RequestWriter() {}

  static ObjectNode write(TrainingRequest r, ObjectMapper mapper) {
    ObjectNode o = mapper.createObjectNode();
    o.put("schema", r.schema());
    o.put("id", r.id());
    o.put("mode", r.mode().wire());
    o.set("model", model(r.model(), mapper));
    o.set("data", data(r.data(), mapper));
    o.set("training", training(r.training(), mapper));
    o.set("engine", engine(r.engine(), mapper));
    if (r.sweep() != null) {
      o.set("sweep", sweep(r.sweep(), mapper));
    }
    if (r.federation() != null) {
      o.set("federation", federation(r.federation(), mapper));
    }
    if (r.reward() != null) {
      ObjectNode reward = o.putObject("reward");
      reward.put("poolPerRound", r.reward().poolPerRound());
      reward.put("scoring", r.reward().scoring());
    }
    return o;
  }

  private static ObjectNode model(ModelSpec m, ObjectMapper mapper) {
    ObjectNode o = mapper.createObjectNode();
    o.put("name", m.name());
    o.put("architecture", m.architecture().wire());
    if (m.initFrom() != null) {
      o.put("initFrom", m.initFrom());
    }
    switch (m.architecture()) {
      case MLP -> {
        ObjectNode mlp = o.putObject("mlp");
        ints(mlp.putArray("hidden"), m.mlp().hidden());
        mlp.put("activation", m.mlp().activation());
        mlp.put("dropout", m.mlp().dropout());
      }
      case CNN -> {
        ObjectNode cnn = o.putObject("cnn");
        ArrayNode conv = cnn.putArray("conv");
        for (CnnSpec.ConvBlock b : m.cnn().conv()) {
          conv.addObject().put("filters", b.filters()).put("kernel", b.kernel())
              .put("stride", b.stride()).put("pool", b.pool());
        }
        ints(cnn.putArray("dense"), m.cnn().dense());
        cnn.put("activation", m.cnn().activation());
        cnn.put("dropout", m.cnn().dropout());
      }
      case DL4J -> o.set("dl4j", readTree(m.dl4jConfiguration(), mapper));
    }
    return o;
  }

  private static ObjectNode data(DataSpec d, ObjectMapper mapper) {
    ObjectNode o = mapper.createObjectNode();
    o.put("format", d.format().wire());
    o.put("train", d.train());
    if (d.test() != null) {
      o.put("test", d.test());
    }
    if (d.format() == Format.CSV) {
      o.put("labelColumn", d.labelColumn());
      o.put("header", d.header());
    }
    if (d.classes() != null) {
      o.put("classes", d.classes());
    }
    o.put("normalization", d.normalization().wire());
    if (d.limit() != null) {
      o.put("limit", d.limit());
    }
    return o;
  }

  private static ObjectNode training(TrainingSpec t, ObjectMapper mapper) {
    ObjectNode o = mapper.createObjectNode();
    o.put("epochs", t.epochs());
    o.put("batchSize", t.batchSize());
    o.put("seed", t.seed());
    o.put("l2", t.l2());
    o.putObject("updater")
        .put("type", t.updater().type())
        .put("learningRate", t.updater().learningRate())
        .put("momentum", t.updater().momentum());
    if (!t.timeouts().isNone()) {
      ObjectNode timeouts = o.putObject("timeouts");
      putIfSet(timeouts, "dataMs", t.timeouts().dataMs());
      putIfSet(timeouts, "trainMs", t.timeouts().trainMs());
      putIfSet(timeouts, "checkpointMs", t.timeouts().checkpointMs());
    }
    return o;
  }

  private static ObjectNode engine(EngineSpec e, ObjectMapper mapper) {
    ObjectNode o = mapper.createObjectNode()
        .put("type", e.type())
        .put("workers", e.workers())
        .put("averagingFrequency", e.averagingFrequency())
        .put("shuffle", e.shuffle());
    WorkerResources r = e.resources();
    if (r != null) {
      ObjectNode resources = o.putObject("resources");
      if (r.cores() != null) {
        resources.put("cores", r.cores());
      }
      if (r.memoryMb() != null) {
        resources.put("memoryMb", r.memoryMb());
      }
      resources.put("gpus", r.gpus());
    }
    return o;
  }

  private static ObjectNode sweep(SweepSpec s, ObjectMapper mapper) {
    ObjectNode o = mapper.createObjectNode();
    ObjectNode parameters = o.putObject("parameters");
    for (Map.Entry<String, List<Object>> e : s.parameters().entrySet()) {
      parameters.set(e.getKey(), mapper.valueToTree(e.getValue()));
    }
    o.put("method", s.method());
    if (s.trials() != null) {
      o.put("trials", s.trials());
    }
    o.put("maxConcurrent", s.maxConcurrent());
    o.put("select", s.select());
    return o;
  }

  private static ObjectNode federation(FederationSpec f, ObjectMapper mapper) {
    ObjectNode o = mapper.createObjectNode();
    if (f.isRegistered()) {
      o.put("name", f.name());
      if (!f.siteIds().isEmpty()) {
        f.siteIds().forEach(o.putArray("siteIds")::add);
      }
    } else {
      o.put("sites", f.sites());
    }
    o.put("rounds", f.rounds());
    o.put("localEpochs", f.localEpochs());
    o.put("fraction", f.fraction());
    if (f.learningRateDecay() != 1.0) {
      o.put("learningRateDecay", f.learningRateDecay());
    }
    o.put("minSites", f.minSites());
    o.put("roundTimeoutMs", f.roundTimeoutMs());
    o.put("belowMinSites", f.belowMinSites());
    if (f.waitsForMinSites()) {
      o.put("minSitesRetries", f.minSitesRetries());
      o.put("minSitesRetryDelayMs", f.minSitesRetryDelayMs());
    }
    ObjectNode strategy = o.putObject("strategy");
    strategy.put("type", f.strategy().type());
    for (Map.Entry<String, Object> p : f.strategy().params().entrySet()) {
      strategy.set(p.getKey(), mapper.valueToTree(p.getValue()));
    }
    return o;
  }

  private static void putIfSet(ObjectNode o, String name, Long value) {
    if (value != null) {
      o.put(name, value);
    }
  }

  private static void ints(ArrayNode array, List<Integer> values) {
    values.forEach(array::add);
  }

  private static JsonNode readTree(String json, ObjectMapper mapper) {
    try {
      return mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("model.dl4jConfiguration is not JSON: " + e.getOriginalMessage(), e);
    }
  }
}
