package org.rnnport.train;

import com.google.protobuf.ByteString;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.rnnport.tensorio.files.TfRecordOutput;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.Summary;
import org.tensorflow.proto.SummaryMetadata;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * A TensorBoard event file ({@code events.out.tfevents.<time>.<host>.<pid>}): TFRecords of
 * {@link Event} protos, framed by tensor I/O's {@link TfRecordOutput}; the first event is {@code file_version: "brain.Event:2"}. Scalars are
 * {@code simple_value} summaries, text is the text plugin's string tensor. Not thread-safe.
 */
public final class EventWriter implements AutoCloseable {
  private final Path file;
  private final TfRecordOutput out;

  /** Opens a new event file in {@code dir} (created if needed). */
  public EventWriter(Path dir) throws IOException {
    Files.createDirectories(dir);
    long now = System.currentTimeMillis();
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    Path f = dir.resolve("events.out.tfevents." + now / 1000 + "." + host + "." + ProcessHandle.current().pid());
    for (int i = 1; Files.exists(f); i++) {
      f = dir.resolve("events.out.tfevents." + now / 1000 + "." + host + "." + ProcessHandle.current().pid() + "." + i);
    }
    this.file = f;
    this.out = new TfRecordOutput(new BufferedOutputStream(Files.newOutputStream(f, StandardOpenOption.CREATE_NEW)));
    write(Event.newBuilder().setWallTime(now / 1000.0).setFileVersion("brain.Event:2").build());
  }

  public Path file() {
    return file;
  }

  /** A scalar at a step. */
  public void scalar(String tag, long step, double value) throws IOException {
    write(Event.newBuilder().setWallTime(System.currentTimeMillis() / 1000.0).setStep(step)
        .setSummary(Summary.newBuilder().addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value)))
        .build());
  }

  /** A Markdown text (TensorBoard's Text tab). */
  public void text(String tag, long step, String markdown) throws IOException {
    TensorProto t = TensorProto.newBuilder().setDtype(DataType.DT_STRING)
        .setTensorShape(TensorShapeProto.newBuilder())
        .addStringVal(ByteString.copyFrom(markdown, StandardCharsets.UTF_8)).build();
    SummaryMetadata meta = SummaryMetadata.newBuilder()
        .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName("text")).build();
    write(Event.newBuilder().setWallTime(System.currentTimeMillis() / 1000.0).setStep(step)
        .setSummary(Summary.newBuilder().addValue(Summary.Value.newBuilder().setTag(tag).setMetadata(meta).setTensor(t)))
        .build());
  }

  /** The graph (TensorBoard's Graphs tab). */
  public void graph(GraphDef g) throws IOException {
    write(Event.newBuilder().setWallTime(System.currentTimeMillis() / 1000.0).setGraphDef(g.toByteString()).build());
  }

  /**
   * A restart at {@code step}: TensorBoard drops events of the earlier run at this step or later
   * (written after the checkpoint the run resumes from).
   */
  public void restart(long step) throws IOException {
    write(Event.newBuilder().setWallTime(System.currentTimeMillis() / 1000.0).setStep(step)
        .setSessionLog(SessionLog.newBuilder().setStatus(SessionLog.SessionStatus.START)).build());
  }

  public void flush() throws IOException {
    out.flush();
  }

  private void write(Event e) throws IOException {
    out.write(e.toByteArray());
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
