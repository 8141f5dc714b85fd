package org.sparkgrid.ingest;

import java.nio.charset.StandardCharsets;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;

/** Small request fixtures. */
public final class TestRequests {

  private TestRequests() {}

  /** A valid compute request with this id, as JSON. */
  public static String json(String id) {
    return """
        {"schema": 1, "id": "%s",
         "model": {"name": "fmnist-mlp", "architecture": "mlp"},
         "data": {"format": "idx", "train": "file:/usr/share/datasets/fashion-mnist/train"},
         "training": {"epochs": 2, "batchSize": 64}}""".formatted(id);
  }

  public static byte[] bytes(String id) {
    return json(id).getBytes(StandardCharsets.UTF_8);
  }

  public static TrainingRequest request(String id) {
    return RequestCodec.parse(json(id));
  }
}
