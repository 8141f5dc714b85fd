package org.sparkgrid.jobs.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StoreLocationsTest {

  @Test
  void defaultRootIsTheStoreDirectoryUnderHome() {
    assertThat(StoreLocations.defaultRoot(Path.of("/opt/sparkgrid/../sparkgrid"))).isEqualTo("file:/opt/sparkgrid/store");
  }
}
