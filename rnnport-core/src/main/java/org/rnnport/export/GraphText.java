package org.rnnport.export;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.rnnport.models.NotebookModel;
import org.rnnport.nn.SeedSource;
import org.rnnport.util.AtomicFiles;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.GraphDef;

/** A model's training GraphDef as protobuf text ({@code graphs/<model>.pbtxt}), for review diffs. */
public final class GraphText {
  private GraphText() {}

  /** The GraphDef of {@code model}'s training graph, built with seed 0, as text. */
  public static String of(NotebookModel model) {
    try (Graph g = new Graph()) {
      model.build(Ops.create(g), SeedSource.tf1GraphSeed(0), model.defaults().learningRate(), true);
      return text(g.toGraphDef());
    }
  }

  /** Protobuf text of a GraphDef, without the producer version (which changes with TF builds). */
  public static String text(GraphDef def) {
    GraphDef stable = def.toBuilder().clearVersions().build();
    return TextFormat.printer().printToString(stable);
  }

  public static void write(NotebookModel model, Path file) throws IOException {
    AtomicFiles.writeBytes(file, of(model).getBytes(StandardCharsets.UTF_8));
  }
}
