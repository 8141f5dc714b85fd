package org.sparkgrid.ingest.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.RecordSource;

/** The wire form of {@link JobEvent}: one flat JSON object. */
final class EventJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EventJson() {}

  static byte[] write(JobEvent e) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("job", e.jobId());
    o.put("seq", e.seq());
    o.put("time", e.time().toString());
    o.put("type", e.payload().type());
    if (e.payload() instanceof JobEvent.Queued p) {
      o.put("priority", p.priority());
    } else if (e.payload() instanceof JobEvent.Duplicate p) {
      o.put("existingState", p.existingState().name());
      o.put("sameRequest", p.sameRequest());
      if (p.source() != null) {
        o.put("sourceTopic", p.source().topic());
        o.put("sourcePartition", p.source().partition());
        o.put("sourceOffset", p.source().offset());
      }
    } else if (e.payload() instanceof JobEvent.Waiting p) {
      o.put("reason", p.reason());
    } else if (e.payload() instanceof JobEvent.Started p) {
      o.put("attempt", p.attempt());
    } else if (e.payload() instanceof JobEvent.Epoch p) {
      o.put("epoch", p.epoch());
      o.set("metrics", MAPPER.valueToTree(new TreeMap<>(p.metrics())));
    } else if (e.payload() instanceof JobEvent.Trial p) {
      o.put("trial", p.trial());
      o.set("overrides", MAPPER.valueToTree(new TreeMap<>(p.overrides())));
      o.set("metrics", MAPPER.valueToTree(new TreeMap<>(p.metrics())));
    } else if (e.payload() instanceof JobEvent.Succeeded p) {
      o.put("model", p.model());
      o.put("modelVersion", p.modelVersion());
      o.set("metrics", MAPPER.valueToTree(new TreeMap<>(p.metrics())));
    } else if (e.payload() instanceof JobEvent.Failed p) {
      o.put("reason", p.reason());
    } else if (e.payload() instanceof JobEvent.Cancelled p) {
      o.put("wasRunning", p.wasRunning());
    } else if (e.payload() instanceof JobEvent.TimedOut p) {
      o.put("phase", p.phase());
    }
    try {
      return MAPPER.writeValueAsBytes(o);
    } catch (IOException ex) {
      throw new IllegalStateException("cannot write event of " + e.jobId(), ex); // a tree always serializes
    }
  }

  static JobEvent read(byte[] json) {
    JsonNode o;
    try {
      o = MAPPER.readTree(json);
    } catch (IOException ex) {
      throw new IllegalArgumentException("not a JSON event: " + ex.getMessage(), ex);
    }
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("not a JSON event object");
    }
    String type = text(o, "type");
    JobEvent.Payload payload = switch (type) {
      case "queued" -> new JobEvent.Queued(o.path("priority").asInt());
      case "duplicate" -> new JobEvent.Duplicate(JobState.valueOf(text(o, "existingState")),
          o.path("sameRequest").asBoolean(),
          o.hasNonNull("sourceTopic") ? new RecordSource(o.get("sourceTopic").asText(),
              o.path("sourcePartition").asInt(), o.path("sourceOffset").asLong()) : null);
      case "waiting" -> new JobEvent.Waiting(o.path("reason").asText(null));
      case "started" -> new JobEvent.Started(o.path("attempt").asInt());
      case "epoch" -> new JobEvent.Epoch(o.path("epoch").asInt(), metrics(o));
      case "trial" -> new JobEvent.Trial(o.path("trial").asInt(), overrides(o), metrics(o));
      case "succeeded" -> new JobEvent.Succeeded(o.path("model").asText(null), o.path("modelVersion").asText(null), metrics(o));
      case "failed" -> new JobEvent.Failed(o.path("reason").asText(null));
      case "cancelled" -> new JobEvent.Cancelled(o.path("wasRunning").asBoolean());
      case "timed-out" -> new JobEvent.TimedOut(o.path("phase").asText(null));
      default -> throw new IllegalArgumentException("unknown event type " + type);
    };
    return new JobEvent(text(o, "job"), o.path("seq").asLong(), Instant.parse(text(o, "time")), payload);
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("event field " + field + " must be a string, got " + v);
    }
    return v.textValue();
  }

  private static Map<String, Double> metrics(JsonNode o) {
    Map<String, Double> m = new LinkedHashMap<>();
    o.path("metrics").fields().forEachRemaining(f -> m.put(f.getKey(), f.getValue().asDouble()));
    return m;
  }

  private static Map<String, Object> overrides(JsonNode o) {
    Map<String, Object> m = new LinkedHashMap<>();
    o.path("overrides").fields().forEachRemaining(f -> {
      JsonNode v = f.getValue();
      Object value = v.isIntegralNumber() ? (Object) v.longValue() : v.isNumber() ? (Object) v.doubleValue() : v.asText();
      m.put(f.getKey(), value);
    });
    return m;
  }
}
