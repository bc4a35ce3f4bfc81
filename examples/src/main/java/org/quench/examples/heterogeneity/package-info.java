/**
 * The heterogeneity study ({@code quench study heterogeneity}): a task suite of 217 temporal
 * tasks, rate and spiking reservoirs with per-neuron time constants (the spiking ones deployed
 * through the compiler onto an emulated chip beside the float reference), sweeps, rows that are
 * pure functions of their parameters, a resumable CSV, the claims analysis and the plots.
 * Methods and every choice: docs/heterogeneity-study.md.
 */
package org.quench.examples.heterogeneity;
