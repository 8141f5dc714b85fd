package org.sparkgrid.settlement;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.sparkgrid.settlement.ledger.Bytes32;

/**
 * A {@link ReceiptStore} of one JSON file per settlement, {@code <dir>/<settlement id>.json}
 * (amounts as decimal strings), each written to a temporary file, forced to disk and renamed
 * into place, so a reader never sees half a receipt.
 *
 * <pre>{@code
 * ReceiptStore store = new FileReceiptStore(Path.of("/var/lib/sparkgrid/settlements"));
 * }</pre>
 */
public final class FileReceiptStore implements ReceiptStore {
  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new SimpleModule().addSerializer(BigInteger.class, ToStringSerializer.instance))
      .enable(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;

  /** @throws IOException if the directory cannot be created */
  public FileReceiptStore(Path dir) throws IOException {
    this.dir = Files.createDirectories(Objects.requireNonNull(dir, "dir"));
  }

  @Override
  public Optional<SettlementReceipt> find(Bytes32 settlementId) throws IOException {
    Path file = fileOf(settlementId);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(JSON.readValue(file.toFile(), SettlementReceipt.class));
  }

  @Override
  public synchronized void put(SettlementReceipt receipt) throws IOException {
    Path file = fileOf(receipt.id());
    if (Files.exists(file)) {
      throw new IllegalStateException("settlement '" + receipt.name() + "' (" + receipt.settlementId()
          + ") is stored already in " + file);
    }
    Path tmp = Files.createTempFile(dir, ".receipt-", ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
        JSON.writeValue(out, receipt);
      }
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public List<SettlementReceipt> all() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "0x*.json")) {
      stream.forEach(files::add);
    }
    files.sort(null);
    List<SettlementReceipt> receipts = new ArrayList<>();
    for (Path f : files) {
      receipts.add(JSON.readValue(f.toFile(), SettlementReceipt.class));
    }
    return receipts;
  }

  private Path fileOf(Bytes32 settlementId) {
    return dir.resolve(settlementId.hex() + ".json");
  }

  @Override
  public String toString() {
    return "FileReceiptStore[" + dir + "]";
  }
}
