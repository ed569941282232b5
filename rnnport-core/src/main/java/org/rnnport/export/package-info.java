/**
 * Export: checkpoints by variable name (the TF1 saver's format), atomic SavedModel export in TF
 * Serving's layout, the {@code assets.extra/rnnport.json} model description and provenance, golden graph
 * text, and the versions recorded with every artifact.
 *
 * <p>May depend on: models, nn, util, the predictor library (version folders). Not on training or the CLI.
 */
package org.rnnport.export;
