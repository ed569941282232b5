/**
 * Small shared helpers: JSON mapping, atomic file writes (temp file and rename) and the removal of a killed
 * process's temporaries, progress bars, PNG output, test-only pause points (TestHooks).
 *
 * <p>May depend on: the JDK, Jackson, progressbar, XChart. Not on any other rnnport package.
 */
package org.rnnport.util;
