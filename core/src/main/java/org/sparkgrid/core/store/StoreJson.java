package org.sparkgrid.core.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How stores write and read {@code metrics.json} and {@code lineage.json}: one JSON object,
 * indented for people who open the file. Store implementations share it, so every store writes
 * the same bytes for the same maps.
 */
public final class StoreJson {

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  private StoreJson() {}

  /**
   * The map as a UTF-8 JSON object.
   *
   * @throws IllegalArgumentException if a value cannot be written as JSON, naming its type
   */
  public static byte[] write(Map<String, ?> map) {
    try {
      return MAPPER.writeValueAsBytes(map);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Reads one JSON object, in file order, and closes the stream.
   *
   * @param what names the file in the error message, e.g. its path
   * @throws UncheckedIOException if the stream cannot be read or holds no JSON object
   */
  public static Map<String, Object> read(InputStream in, String what) {
    try (in) {
      Map<String, Object> map = MAPPER.readValue(in, MAP);
      if (map == null) {
        throw new IOException(what + " holds no JSON object");
      }
      return map;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + what + ": " + e.getMessage(), e);
    }
  }
}
