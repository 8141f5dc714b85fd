package org.sparkgrid.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Objects;

/**
 * A command on the control topic, keyed by job id. On the wire, one JSON object:
 *
 * <pre>{@code
 * {"command":"cancel","job":"fmnist-mlp-0001"}
 * {"command":"exclude-site","job":"fmnist-fed-0001","site":"site-3"}
 * }</pre>
 */
public sealed interface ControlCommand permits ControlCommand.Cancel, ControlCommand.ExcludeSite {

  /** The job the command is about. */
  String jobId();

  /** The wire name: {@code cancel}, {@code exclude-site}. */
  String command();

  /** Cancel a queued or running job. */
  record Cancel(String jobId) implements ControlCommand {
    public Cancel {
      Objects.requireNonNull(jobId, "jobId");
    }

    @Override
    public String command() {
      return "cancel";
    }
  }

  /** Tree mode: leave a site out of the job's next rounds. */
  record ExcludeSite(String jobId, String site) implements ControlCommand {
    public ExcludeSite {
      Objects.requireNonNull(jobId, "jobId");
      Objects.requireNonNull(site, "site");
    }

    @Override
    public String command() {
      return "exclude-site";
    }
  }

  /** This command as UTF-8 JSON. */
  default byte[] toJson() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode o = mapper.createObjectNode().put("command", command()).put("job", jobId());
    if (this instanceof ExcludeSite x) {
      o.put("site", x.site());
    }
    try {
      return mapper.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalStateException(e); // a tree always serializes
    }
  }

  /**
   * Reads a command.
   *
   * @throws IllegalArgumentException if the bytes are not a command, naming the field and value
   */
  static ControlCommand fromJson(byte[] json) {
    JsonNode o;
    try {
      o = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a JSON control command: " + e.getMessage(), e);
    }
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("a control command must be a JSON object");
    }
    String command = text(o, "command");
    String job = text(o, "job");
    return switch (command) {
      case "cancel" -> new Cancel(job);
      case "exclude-site" -> new ExcludeSite(job, text(o, "site"));
      default -> throw new IllegalArgumentException("command: unknown command " + command + "; known: cancel, exclude-site");
    };
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
      throw new IllegalArgumentException(field + ": must be a non-empty string, got " + (v == null ? "nothing" : v));
    }
    return v.textValue();
  }
}
