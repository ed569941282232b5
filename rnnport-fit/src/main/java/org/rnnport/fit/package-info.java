/**
 * {@code rnnport fit}'s library: a Keras Sequential ({@link org.rnnport.keras.KerasModel}) trained on the user's
 * files with Keras' {@code fit} semantics, through the same {@code TrainingRun} and run folder as {@code train}.
 * {@link org.rnnport.fit.Fit} is the API (a builder with the CLI's options, returning the run's History);
 * {@link org.rnnport.fit.FitData} reads the files with predict's readers (one reader per format for both commands),
 * checks every row before the first step in one streaming pass, and keeps the labels; the inputs are read by index
 * from npy and stored npz ({@code IndexedRows}), held in memory up to the shuffle buffer, or streamed and shuffled
 * through the buffer as tf.data does ({@code StreamedRows}, {@code ShuffleBufferBatches});
 * {@link org.rnnport.fit.FitProtocol} is the
 * training protocol (epochs of batches in Keras' own shuffle, or numpy's, validation, the final evaluation).
 *
 * <p>A module of its own because it joins core (graphs, training) and predict (the readers), which do not depend on
 * each other that way; the CLI's {@code FitCommand} only parses options and calls {@link org.rnnport.fit.Fit}.
 */
package org.rnnport.fit;
