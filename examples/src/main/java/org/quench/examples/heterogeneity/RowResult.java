package org.quench.examples.heterogeneity;

/**
 * What one study row measured.
 *
 * @param nrmse test NRMSE (root mean squared error over the held-out samples divided by the
 *     target's standard deviation there; 1 is no better than predicting the mean)
 * @param trainNrmse the same on the training samples
 * @param lambda ridge penalty chosen on the validation split (per fitting row, standardised)
 * @param activity rate networks: mean |x|; spiking: spikes per neuron per step
 * @param tauMeanRealised mean of the membrane (leak) time constants after the floor, in samples
 * @param tauCvRealised their coefficient of variation
 * @param decaysRequested spiking chip rows: distinct decay profiles the network asked for (else -1)
 * @param decaysRealised distinct decay profiles after the profile budget (else -1)
 * @param tauErrorP95 95th percentile of the realised membrane time constants' relative error on
 *     the chip (else NaN)
 */
record RowResult(double nrmse, double trainNrmse, double lambda, double activity,
    double tauMeanRealised, double tauCvRealised, int decaysRequested, int decaysRealised,
    double tauErrorP95) {}
