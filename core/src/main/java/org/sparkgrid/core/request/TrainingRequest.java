package org.sparkgrid.core.request;

/**
 * A training request, schema 1: what to train, on which data, how, and (optionally) a sweep,
 * a federation and a reward pool. Instances come from {@link RequestCodec#parse(byte[])}, which
 * has already checked every field; the records themselves hold values only.
 *
 * <pre>{@code
 * TrainingRequest r = RequestCodec.parse(Files.readAllBytes(Path.of("conf/requests/quickstart-cnn.json")));
 * System.out.println(r.id() + " trains " + r.model().name() + " for " + r.training().epochs() + " epochs");
 * }</pre>
 *
 * @param schema     request schema version (required); only {@value RequestCodec#SCHEMA_VERSION} is known
 * @param id         the client's idempotency key, also the job id: 1..128 characters of
 *                   {@code [A-Za-z0-9._:-]} (required)
 * @param mode       compute (batch; the default) or tree (federated; requires {@code federation})
 * @param model      the model to train and where its weights start
 * @param data       train and test data
 * @param training   epochs, batch size, seed, updater
 * @param engine     how training is distributed (default {@link RequestCodec#DEFAULT_ENGINE})
 * @param sweep      optional: N configurations trained, the best registered ({@code null} if absent)
 * @param federation tree mode's sites and rounds: required in mode tree, refused in mode compute
 *                   ({@code null} if absent)
 * @param reward     optional: how contributors are paid ({@code null} if absent)
 */
public record TrainingRequest(
    int schema,
    String id,
    Mode mode,
    ModelSpec model,
    DataSpec data,
    TrainingSpec training,
    EngineSpec engine,
    SweepSpec sweep,
    FederationSpec federation,
    RewardSpec reward) {

  /** Compute (batch, data-parallel on Spark) or tree (federated across sites). */
  public enum Mode {
    COMPUTE("compute"),
    TREE("tree");

    private final String wire;

    Mode(String wire) {
      this.wire = wire;
    }

    /** The value as it is written in a request. */
    public String wire() {
      return wire;
    }
  }
}
