/**
 * Small shared helpers: JSON mapping, atomic file writes (temp file and rename), progress bars, PNG output.
 *
 * <p>May depend on: the JDK, Jackson, progressbar, XChart. Not on any other rnnport package.
 */
package org.rnnport.util;
