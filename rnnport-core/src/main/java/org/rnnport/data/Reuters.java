package org.rnnport.data;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rnnport.util.Json;

/**
 * Keras' Reuters newswire dataset: {@code reuters.npz} (an int64 label array {@code y} and a
 * pickled object array {@code x} of word-id lists), {@code load_data} with Keras' exact steps,
 * {@code pad_sequences}, and the word index for decoding.
 */
public final class Reuters {
  private Reuters() {}

  public static final String DATASET = "reuters";
  public static final String NPZ = "reuters/reuters.npz";
  public static final String WORD_INDEX = "reuters/reuters_word_index.json";
  public static final int CLASSES = 46;

  /** The raw file: sequences in file order and their labels. */
  public record Raw(List<int[]> x, int[] y) {}

  /** A train/test split of token lists. */
  public record Split(List<int[]> xTrain, int[] yTrain, List<int[]> xTest, int[] yTest) {}

  /** Reads {@code reuters.npz}. */
  public static Raw readRaw(Path dataDir) throws IOException {
    Path file = dataDir.resolve(NPZ);
    Map<String, Npz.Array> arrays = Npz.read(file);
    Npz.Array ya = arrays.get("y");
    Npz.Array xa = arrays.get("x");
    if (ya == null || xa == null) {
      throw new DataException(file, "expected arrays x and y, found " + arrays.keySet());
    }
    long[] y = ya.int64(file);
    if (!xa.descr().equals("|O")) {
      throw new DataException(file, "x: dtype " + xa.descr() + ", expected an object array (|O)");
    }
    List<?> items = NumpyPickle.objectArrayItems(file, "x", Npz.pickleStream(xa));
    if (items.size() != y.length) {
      throw new DataException(file, "x holds " + items.size() + " sequences but y holds " + y.length + " labels");
    }
    List<int[]> x = new ArrayList<>(items.size());
    int[] labels = new int[y.length];
    for (int i = 0; i < items.size(); i++) {
      if (!(items.get(i) instanceof List<?> seq)) {
        throw new DataException(file, "x[" + i + "] is not a list of word ids");
      }
      int[] s = new int[seq.size()];
      for (int j = 0; j < s.length; j++) {
        s[j] = ((Number) seq.get(j)).intValue();
      }
      x.add(s);
      if (y[i] < 0 || y[i] >= CLASSES) {
        throw new DataException(file, "y[" + i + "] = " + y[i] + " is outside 0.." + (CLASSES - 1));
      }
      labels[i] = (int) y[i];
    }
    return new Raw(x, labels);
  }

  /**
   * {@code keras.datasets.reuters.load_data(num_words, skip_top=0, maxlen=None, test_split, seed=113,
   * start_char=1, oov_char=2, index_from=3)}: RandomState(seed) shuffle, start char, index_from
   * offset, out-of-range words to oov_char, split at {@code int(n * (1 - test_split))}.
   *
   * @param numWords keep words below this index (0 for all: Keras then uses the max index)
   */
  public static Split loadData(Raw raw, int numWords, double testSplit, long seed) {
    int n = raw.x().size();
    int[] perm = new NumpyRandomState(seed).permutation(n);
    List<int[]> xs = new ArrayList<>(n);
    int[] labels = new int[n];
    int maxIndex = 0;
    for (int i = 0; i < n; i++) {
      int[] src = raw.x().get(perm[i]);
      int[] s = new int[src.length + 1];
      s[0] = 1; // start_char
      for (int j = 0; j < src.length; j++) {
        s[j + 1] = src[j] + 3; // index_from
        maxIndex = Math.max(maxIndex, s[j + 1]);
      }
      xs.add(s);
      labels[i] = raw.y()[perm[i]];
    }
    int limit = numWords > 0 ? numWords : maxIndex; // Keras: num_words = max(max(x) for x in xs)
    for (int[] s : xs) {
      for (int j = 0; j < s.length; j++) {
        if (!(0 <= s[j] && s[j] < limit)) {
          s[j] = 2; // oov_char
        }
      }
    }
    int idx = (int) (n * (1 - testSplit));
    return new Split(xs.subList(0, idx), java.util.Arrays.copyOfRange(labels, 0, idx),
        xs.subList(idx, n), java.util.Arrays.copyOfRange(labels, idx, n));
  }

  /** {@code pad_sequences(xs, maxlen)}: padding 'pre', truncating 'pre', value 0, int32. */
  public static SequenceSet pad(List<int[]> xs, int[] labels, int maxlen) {
    int[] out = new int[xs.size() * maxlen];
    for (int i = 0; i < xs.size(); i++) {
      int[] s = xs.get(i);
      int take = Math.min(s.length, maxlen);
      System.arraycopy(s, s.length - take, out, i * maxlen + (maxlen - take), take);
    }
    return new SequenceSet(out, labels, maxlen, CLASSES);
  }

  /** The notebook's data: {@code load_data(num_words=1000, test_split=0.2)}, padded to 100. */
  public record Padded(SequenceSet train, SequenceSet test) {}

  public static Padded notebook(Path dataDir) throws IOException {
    Split s = loadData(readRaw(dataDir), 1000, 0.2, 113);
    return new Padded(pad(s.xTrain(), s.yTrain(), 100), pad(s.xTest(), s.yTest(), 100));
  }

  /** Decodes processed token ids to words: id t is the word of rank t - 3; 0, 1, 2 are pad, start, OOV. */
  public static final class WordIndex {
    private final Map<Integer, String> byRank = new HashMap<>();

    public static WordIndex load(Path dataDir) throws IOException {
      Path f = dataDir.resolve(WORD_INDEX);
      Map<String, Integer> m;
      try {
        m = Json.MAPPER.readValue(f.toFile(), new TypeReference<Map<String, Integer>>() {});
      } catch (IOException e) {
        throw new DataException(f, "not a word -> rank JSON object: " + e.getMessage(), e);
      }
      WordIndex w = new WordIndex();
      m.forEach((word, rank) -> w.byRank.put(rank, word));
      return w;
    }

    public int size() {
      return byRank.size();
    }

    public String decode(int[] ids) {
      StringBuilder sb = new StringBuilder();
      for (int t : ids) {
        if (t == 0) {
          continue;
        }
        if (sb.length() > 0) {
          sb.append(' ');
        }
        sb.append(t == 1 ? "<start>" : t == 2 ? "<oov>" : byRank.getOrDefault(t - 3, "<" + t + "?>"));
      }
      return sb.toString();
    }
  }
}
