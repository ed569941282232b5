/**
 * The {@code rnnport} command (picocli): data, train, eval, inspect, graph, bench, parity, weights and
 * serve. Parses options, wires the modules together and maps errors to exit codes; no logic of its own
 * beyond that, and {@link org.rnnport.cli.Signals}: SIGTERM/SIGINT to the running command's stop action
 * (serve drains, train stops at a step, predict abandons its output), a second signal exits at once.
 *
 * <p>May depend on: every rnnport module, picocli, slf4j-simple (its log output).
 */
package org.rnnport.cli;
