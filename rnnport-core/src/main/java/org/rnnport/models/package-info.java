/**
 * The notebooks' models, one small class each (000 {@code MnistRnn}, 001 {@code MnistLstm}, 002
 * {@code MnistLstmState}, 003b {@code ReutersLstm}, 003a {@code SimpleRnnWeights}), their registry and
 * specs (hyperparameters), and the graphs they build for training and for export.
 *
 * <p>May depend on: {@code org.rnnport.nn}, {@code org.rnnport.data}, {@code org.rnnport.util}. Not on
 * training loops, export or the CLI.
 */
package org.rnnport.models;
