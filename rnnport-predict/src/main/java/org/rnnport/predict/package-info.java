/**
 * {@code rnnport predict}: batch scoring of files with any SavedModel, streaming (a reader thread,
 * inference workers on one loaded model, an ordered writer; bounded queues), and {@code rnnport
 * eval} as predict on a bundled dataset.
 *
 * <p>May depend on: the predictor library, core (data, eval's report, export, util). Not on
 * serving, parity or the CLI. Formats live in {@link org.rnnport.predict.formats}.
 */
package org.rnnport.predict;
