package org.sparkgrid.ingest.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
    } else if (e.payload() instanceof JobEvent.Round p) {
      o.put("round", p.round());
      o.put("rounds", p.rounds());
      o.set("metrics", MAPPER.valueToTree(new TreeMap<>(p.metrics())));
      p.accepted().forEach(o.putArray("accepted")::add);
      o.set("rejected", MAPPER.valueToTree(new TreeMap<>(p.rejected())));
      p.excluded().forEach(o.putArray("excluded")::add);
      var contributions = o.putArray("contributions");
      for (JobEvent.SiteContribution c : p.contributions()) {
        ObjectNode co = contributions.addObject().put("site", c.site()).put("examples", c.examples())
            .put("exampleShare", c.exampleShare());
        putNumberOrNull(co, "lossImprovement", c.lossImprovement());
        putNumberOrNull(co, "shapley", c.shapley());
      }
    } else if (e.payload() instanceof JobEvent.SiteExcluded p) {
      o.put("site", p.site());
    } else if (e.payload() instanceof JobEvent.Trial p) {
      o.put("trial", p.trial());
      o.set("overrides", MAPPER.valueToTree(new TreeMap<>(p.overrides())));
      o.set("metrics", MAPPER.valueToTree(new TreeMap<>(p.metrics())));
      if (p.error() != null) {
        o.put("error", p.error());
      }
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
    } else if (e.payload() instanceof JobEvent.CommandRefused p) {
      if (p.command() != null) {
        o.put("command", p.command());
      }
      o.put("reason", p.reason());
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
      case "round" -> new JobEvent.Round(o.path("round").asInt(), o.path("rounds").asInt(), metrics(o),
          strings(o.path("accepted")), reasons(o.path("rejected")), strings(o.path("excluded")), contributions(o));
      case "site-excluded" -> new JobEvent.SiteExcluded(text(o, "site"));
      case "trial" -> new JobEvent.Trial(o.path("trial").asInt(), overrides(o), metrics(o), o.path("error").asText(null));
      case "succeeded" -> new JobEvent.Succeeded(o.path("model").asText(null), o.path("modelVersion").asText(null), metrics(o));
      case "failed" -> new JobEvent.Failed(o.path("reason").asText(null));
      case "cancelled" -> new JobEvent.Cancelled(o.path("wasRunning").asBoolean());
      case "timed-out" -> new JobEvent.TimedOut(o.path("phase").asText(null));
      case "command-refused" -> new JobEvent.CommandRefused(o.path("command").asText(null), text(o, "reason"));
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

  private static void putNumberOrNull(ObjectNode o, String field, double v) {
    if (Double.isNaN(v)) {
      o.putNull(field);
    } else {
      o.put(field, v);
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  private static Map<String, String> reasons(JsonNode object) {
    Map<String, String> m = new LinkedHashMap<>();
    object.fields().forEachRemaining(f -> m.put(f.getKey(), f.getValue().asText()));
    return m;
  }

  private static List<JobEvent.SiteContribution> contributions(JsonNode o) {
    List<JobEvent.SiteContribution> out = new ArrayList<>();
    for (JsonNode c : o.path("contributions")) {
      out.add(new JobEvent.SiteContribution(text(c, "site"), c.path("examples").asLong(),
          c.path("exampleShare").asDouble(), numberOrNaN(c.path("lossImprovement")), numberOrNaN(c.path("shapley"))));
    }
    return out;
  }

  private static double numberOrNaN(JsonNode v) {
    return v.isNumber() ? v.doubleValue() : Double.NaN;
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
