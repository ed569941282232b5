/**
 * Evaluation of SavedModels on the bundled test splits (accuracy, per-class precision/recall/F1,
 * confusion matrix) and {@code saved_model_cli}-style inspection.
 *
 * <p>May depend on: the predictor library, data, models, export, util. Not on training or the CLI.
 */
package org.rnnport.eval;
