/**
 * The parity harness: runs each Python notebook (the oracle in {@code parity/}) beside the Java port
 * from the same initial weights and batches, and compares losses, variables, logits and SavedModels number
 * for number; JSON, Markdown and PNG reports.
 *
 * <p>May depend on: core (models, train, data, export, eval) and the predictor library. Not on the CLI.
 */
package org.rnnport.parity;
