package org.rnnport.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;

class DataFetcherTest {
  @TempDir
  Path tmp;

  @Test
  void fetchesFromAMirrorFolderThenIsANoOp() throws IOException {
    Path mirror = TestData.ensure("mnist");
    DataFetcher f = new DataFetcher(DataManifest.load(), tmp, mirror.toString());
    DataManifest.FileEntry labels = DataManifest.load().dataset("mnist").files().get(1);
    assertThat(f.fetchFile(labels)).isEqualTo(DataFetcher.Outcome.FETCHED);
    Path got = tmp.resolve(labels.path());
    assertThat(DataFetcher.sha256(got)).isEqualTo(labels.sha256());
    assertThat(f.fetchFile(labels)).isEqualTo(DataFetcher.Outcome.ALREADY_VALID);
    // a corrupted local copy is replaced
    Files.write(got, new byte[] {1, 2, 3});
    assertThat(f.fetchFile(labels)).isEqualTo(DataFetcher.Outcome.FETCHED);
    assertThat(DataFetcher.sha256(got)).isEqualTo(labels.sha256());
  }

  @Test
  void wrongChecksumLeavesNoFile() throws IOException {
    Path mirror = TestData.ensure("mnist");
    DataManifest.FileEntry real = DataManifest.load().dataset("mnist").files().get(3);
    DataManifest.FileEntry wrong = new DataManifest.FileEntry(real.path(), real.size(),
        "0".repeat(64), real.urls());
    DataManifest manifest = new DataManifest(Map.of("mnist", new DataManifest.Dataset("x", List.of(wrong))));
    DataFetcher f = new DataFetcher(manifest, tmp, mirror.toString());
    assertThatThrownBy(() -> f.fetch("mnist"))
        .isInstanceOf(DataFetcher.ChecksumException.class)
        .hasMessageContaining("sha256 mismatch")
        .hasMessageContaining(real.path());
    try (Stream<Path> files = Files.walk(tmp)) {
      assertThat(files.filter(Files::isRegularFile).toList()).as("nothing left behind").isEmpty();
    }
  }

  @Test
  void wrongSizeLeavesNoFile() throws IOException {
    Path mirror = TestData.ensure("mnist");
    DataManifest.FileEntry real = DataManifest.load().dataset("mnist").files().get(3);
    DataManifest.FileEntry wrong = new DataManifest.FileEntry(real.path(), real.size() - 1, real.sha256(), real.urls());
    DataManifest manifest = new DataManifest(Map.of("mnist", new DataManifest.Dataset("x", List.of(wrong))));
    assertThatThrownBy(() -> new DataFetcher(manifest, tmp, mirror.toString()).fetch("mnist"))
        .isInstanceOf(DataFetcher.ChecksumException.class);
    try (Stream<Path> files = Files.walk(tmp)) {
      assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
    }
  }

  @Test
  void missingMirrorFileNamesEverySourceTried() {
    DataFetcher f = new DataFetcher(DataManifest.load(), tmp, tmp.resolve("empty-mirror").toString());
    assertThatThrownBy(() -> f.fetch("mnist"))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("could not fetch")
        .hasMessageContaining("empty-mirror");
  }

  @Test
  void unknownDatasetListsTheKnownOnes() {
    assertThatThrownBy(() -> DataManifest.load().dataset("cifar"))
        .hasMessageContaining("unknown dataset 'cifar'").hasMessageContaining("mnist").hasMessageContaining("reuters");
  }
}
