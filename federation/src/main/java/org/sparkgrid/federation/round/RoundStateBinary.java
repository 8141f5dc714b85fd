package org.sparkgrid.federation.round;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.federation.strategy.StrategyState;

/**
 * The compact binary form of a {@link RoundState} checkpoint: the parameter vectors as raw
 * little-endian floats (4 bytes each, against about 5.4 for {@link RoundState#toJson()}'s Base64
 * inside JSON, and no text encoding to run), the small fields as JSON beside them, a versioned
 * header and a CRC-32C of everything before it.
 *
 * <p>Layout, integers little-endian:
 * <pre>
 * offset  size  field
 * 0       4     magic "SGRS" (0x53 0x47 0x52 0x53)
 * 4       2     format version ({@value #VERSION})
 * 6       2     reserved, 0
 * 8       4     metadata length N
 * 12      N     metadata, UTF-8 JSON:
 *               {"round": 3, "global": 1000120, "strategyRounds": 3,
 *                "strategyVectors": [{"name": "m", "length": 1000120}, ...],
 *                "contributions": [...as Contribution.toMap()...], "excludedSites": ["s7"]}
 * 12+N    4*L   the global parameters, then each strategy vector in the metadata's order
 * end-4   4     CRC-32C of bytes [0, end-4)
 * </pre>
 *
 * <pre>{@code
 * try (OutputStream out = Files.newOutputStream(path)) {
 *   RoundStateBinary.write(state, out);           // 4 MB + a few hundred bytes for 1M parameters
 * }
 * RoundState back = RoundStateBinary.read(Files.readAllBytes(path));   // equal to state
 * }</pre>
 */
public final class RoundStateBinary {

  /** The format version this class writes and the only one it reads. */
  public static final int VERSION = 1;

  private static final byte[] MAGIC = {'S', 'G', 'R', 'S'};
  private static final int HEADER = 12;
  private static final int TRAILER = 4;
  private static final int CHUNK_FLOATS = 16 * 1024;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private RoundStateBinary() {}

  /** True when {@code bytes} start with this format's magic (a JSON checkpoint starts with '{'). */
  public static boolean isBinary(byte[] bytes) {
    return bytes.length >= MAGIC.length && bytes[0] == MAGIC[0] && bytes[1] == MAGIC[1] && bytes[2] == MAGIC[2]
        && bytes[3] == MAGIC[3];
  }

  /**
   * Writes {@code state} to {@code out} (which it does not close), computing the checksum as it goes.
   *
   * @throws IOException if {@code out} fails
   */
  public static void write(RoundState state, OutputStream out) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] meta = MAPPER.writeValueAsBytes(metadata(state));
    ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    header.put(MAGIC).putShort((short) VERSION).putShort((short) 0).putInt(meta.length);
    emit(out, crc, header.array(), header.array().length);
    emit(out, crc, meta, meta.length);
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    writeFloats(out, crc, chunk, state.global());
    for (float[] v : state.strategyState().vectors().values()) {
      writeFloats(out, crc, chunk, v);
    }
    ByteBuffer trailer = ByteBuffer.allocate(TRAILER).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
    out.write(trailer.array());
  }

  /** {@link #write} into a byte array. */
  public static byte[] toBytes(RoundState state) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(size(state));
    try {
      write(state, out);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write round state: " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /** The float bytes plus a little for the rest: a buffer size, not an exact figure. */
  private static int size(RoundState state) {
    long floats = state.global().length;
    for (float[] v : state.strategyState().vectors().values()) {
      floats += v.length;
    }
    return (int) Math.min(Integer.MAX_VALUE - 16, floats * Float.BYTES + 4096);
  }

  /**
   * Reads what {@link #write} wrote, checking the magic, the version, the checksum and the lengths.
   *
   * @throws IllegalArgumentException naming what is wrong: not this format, another version, a
   *     checksum mismatch (a torn or corrupted file), lengths that do not add up, bad metadata
   */
  public static RoundState read(byte[] bytes) {
    if (!isBinary(bytes) || bytes.length < HEADER + TRAILER) {
      throw new IllegalArgumentException("binary round state: not an SGRS checkpoint (" + bytes.length
          + " bytes, must start with \"SGRS\")");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int version = Short.toUnsignedInt(b.getShort(4));
    if (version != VERSION) {
      throw new IllegalArgumentException("binary round state: format version must be " + VERSION + ", got " + version);
    }
    int stored = b.getInt(bytes.length - TRAILER);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - TRAILER);
    if ((int) crc.getValue() != stored) {
      throw new IllegalArgumentException(String.format("binary round state: checksum mismatch (stored %08x, computed"
          + " %08x over %d bytes): the file is torn or corrupted", stored, (int) crc.getValue(),
          bytes.length - TRAILER));
    }
    int metaLength = b.getInt(8);
    if (metaLength < 0 || HEADER + (long) metaLength > bytes.length - TRAILER) {
      throw new IllegalArgumentException("binary round state: metadata length " + metaLength + " exceeds the "
          + bytes.length + "-byte file");
    }
    Map<String, Object> meta;
    try {
      meta = MAPPER.readValue(bytes, HEADER, metaLength, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      throw new IllegalArgumentException("binary round state: metadata is not a JSON object: " + e.getMessage(), e);
    }
    List<Map.Entry<String, Integer>> vectors = new ArrayList<>();
    vectors.add(Map.entry("global", whole(meta, "global")));
    for (Object o : list(meta, "strategyVectors")) {
      if (!(o instanceof Map<?, ?> v) || !(v.get("name") instanceof String name)) {
        throw new IllegalArgumentException("binary round state: strategyVectors must hold {name, length}, got " + o);
      }
      vectors.add(Map.entry(name, whole(stringKeys(v), "length")));
    }
    long floatBytes = 0;
    for (Map.Entry<String, Integer> v : vectors) {
      floatBytes += (long) v.getValue() * Float.BYTES;
    }
    long have = bytes.length - TRAILER - HEADER - (long) metaLength;
    if (floatBytes != have) {
      throw new IllegalArgumentException("binary round state: the metadata names " + floatBytes
          + " bytes of floats, the file holds " + have);
    }
    FloatBuffer floats = ByteBuffer.wrap(bytes, HEADER + metaLength, (int) have).slice()
        .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] global = null;
    Map<String, float[]> strategyVectors = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> v : vectors) {
      float[] a = new float[v.getValue()];
      floats.get(a);
      if (global == null) {
        global = a;
      } else {
        strategyVectors.put(v.getKey(), a);
      }
    }
    List<Contribution> contributions = new ArrayList<>();
    for (Object c : list(meta, "contributions")) {
      if (!(c instanceof Map<?, ?> cm)) {
        throw new IllegalArgumentException("binary round state: contributions must hold objects, got " + c);
      }
      contributions.add(Contribution.fromMap(stringKeys(cm)));
    }
    Set<String> excluded = new TreeSet<>();
    list(meta, "excludedSites").forEach(e -> excluded.add(String.valueOf(e)));
    Object strategyRounds = meta.get("strategyRounds");
    if (!(strategyRounds instanceof Number n) || n.longValue() != n.doubleValue()) {
      throw new IllegalArgumentException("binary round state: strategyRounds must be a whole number, got "
          + strategyRounds);
    }
    return new RoundState(whole(meta, "round"), global, new StrategyState(n.longValue(), strategyVectors),
        contributions, excluded);
  }

  private static Map<String, Object> metadata(RoundState state) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("round", state.round());
    m.put("global", state.global().length);
    m.put("strategyRounds", state.strategyState().rounds());
    List<Map<String, Object>> vs = new ArrayList<>();
    state.strategyState().vectors().forEach((name, v) -> {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("name", name);
      e.put("length", v.length);
      vs.add(e);
    });
    m.put("strategyVectors", vs);
    List<Map<String, Object>> cs = new ArrayList<>();
    state.contributions().forEach(c -> cs.add(c.toMap()));
    m.put("contributions", cs);
    m.put("excludedSites", new ArrayList<>(new TreeSet<>(state.excludedSites())));
    return m;
  }

  private static void writeFloats(OutputStream out, CRC32C crc, ByteBuffer chunk, float[] v) throws IOException {
    FloatBuffer fb = chunk.asFloatBuffer();
    for (int from = 0; from < v.length; from += CHUNK_FLOATS) {
      int n = Math.min(CHUNK_FLOATS, v.length - from);
      fb.clear();
      fb.put(v, from, n);
      emit(out, crc, chunk.array(), n * Float.BYTES);
    }
  }

  private static void emit(OutputStream out, CRC32C crc, byte[] bytes, int length) throws IOException {
    crc.update(bytes, 0, length);
    out.write(bytes, 0, length);
  }

  private static int whole(Map<String, ?> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof Number n) || n.doubleValue() != n.intValue() || n.intValue() < 0) {
      throw new IllegalArgumentException("binary round state: " + key + " must be a whole number >= 0, got " + v);
    }
    return n.intValue();
  }

  private static List<?> list(Map<String, ?> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof List<?> l)) {
      throw new IllegalArgumentException("binary round state: " + key + " must be an array, got " + v);
    }
    return l;
  }

  private static Map<String, Object> stringKeys(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }
}
