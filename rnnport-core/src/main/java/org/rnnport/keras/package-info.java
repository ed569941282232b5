/**
 * Keras model definitions: {@code model.to_json()} of a tf-keras 2.18 {@code Sequential} (Keras 2 format) and a
 * {@code .keras} archive's {@code config.json} with its {@code compile_config}, read with Jackson into a
 * {@link org.rnnport.keras.KerasModel} (layers checked against what rnnport builds, anything else refused by
 * name with the layer's index), and built into a TF Java graph with Keras' variable names
 * ({@code gru/gru_cell/kernel}, {@code dense/bias}) from the cells of {@code org.rnnport.nn}
 * ({@link org.rnnport.keras.KerasGraph}), with Keras' losses and optimizers.
 *
 * <p>It lives in rnnport-core because it is graph construction, next to the notebook models it generalizes
 * ({@code ReutersLstm} is one such Sequential); reading the user's data files is rnnport-fit's (it needs
 * predict's readers, which core must not depend on). Depends on {@code org.rnnport.nn}, {@code org.rnnport.models}
 * and Jackson only.
 */
package org.rnnport.keras;
