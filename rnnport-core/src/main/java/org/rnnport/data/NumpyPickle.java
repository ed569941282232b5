package org.rnnport.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

/**
 * Unpickles numpy object arrays with razorvine's pickle reader, with the two numpy globals such a
 * pickle names: {@code numpy.core.multiarray._reconstruct} (an ndarray whose {@code BUILD} state
 * carries the items) and {@code numpy.dtype}.
 */
public final class NumpyPickle {
  private NumpyPickle() {}

  /** Stand-in for the ndarray a pickle reconstructs; BUILD gives it (version, shape, dtype, fortran, items). */
  public static final class NdArrayState {
    public Object[] shape;
    public List<?> items;

    public void __setstate__(Object[] state) {
      if (state.length < 5) {
        throw new PickleException("ndarray state has " + state.length + " fields, expected 5");
      }
      shape = (Object[]) state[1];
      if (!(state[4] instanceof List<?> l)) {
        throw new PickleException("ndarray items are a " + state[4].getClass().getSimpleName() + ", expected a list");
      }
      items = l;
    }
  }

  /** Stand-in for numpy.dtype; its BUILD state is ignored. */
  public static final class DType {
    public final Object[] args;

    DType(Object[] args) {
      this.args = args;
    }

    public void __setstate__(Object[] state) {
      // (3, '|', None, None, None, -1, -1, 63) for dtype('O'): nothing to keep
    }
  }

  static {
    IObjectConstructor reconstruct = args -> new NdArrayState();
    Unpickler.registerConstructor("numpy.core.multiarray", "_reconstruct", reconstruct);
    Unpickler.registerConstructor("numpy._core.multiarray", "_reconstruct", reconstruct);
    Unpickler.registerConstructor("numpy", "dtype", DType::new);
  }

  /** The items of a pickled 1-D object array. */
  public static List<?> objectArrayItems(Path file, String name, InputStream pickle) throws IOException {
    Unpickler u = new Unpickler();
    try {
      Object o = u.load(pickle);
      if (!(o instanceof NdArrayState a) || a.items == null) {
        throw new DataException(file, name + ": pickle holds a " + (o == null ? "None" : o.getClass().getSimpleName())
            + ", expected a numpy object array");
      }
      return a.items;
    } catch (PickleException e) {
      throw new DataException(file, name + ": malformed pickle: " + e.getMessage(), e);
    } finally {
      u.close();
    }
  }
}
