/**
 * Training: the training loop that runs a model's notebook protocol in a Session, stop handling,
 * progress, {@code history.json} and the loss plot, device placement.
 *
 * <p>May depend on: models, nn, data, export, util. Not on the CLI, serving or parity.
 */
package org.rnnport.train;
