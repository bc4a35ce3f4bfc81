#!/usr/bin/env python3
"""Brian2 baseline for `quench bench --baseline`: a speed peer, not a bit-exact model.

Builds the same network as bench/numpy_baseline.py (its build(), so sizes, fan-out, delays,
weights, profiles and input rate match quench's SyntheticNetwork statistics) and steps it with
Brian2's cython code generation in 64-bit floats: per step, the current and voltage decay by the
chip's factors, a spike resets the voltage to 0, and each synapse adds weight x 2^-5 to its
target's input after its delay (Brian2 delivers after `delay` steps where the chip uses delay + 1;
the work per spike is the same). Prints one JSON object with its rates on stdout; exits with
status 3 and one line on stderr when Brian2 is not installed (Debian: apt-get install python3-brian).

    python3 bench/brian2_baseline.py --neurons 100000 --synapses-per-neuron 100 --steps 1000
"""
import logging
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")
try:
    import numpy as np
    import brian2 as b2
except ImportError as e:
    print("brian2_baseline.py needs Brian2 (" + str(e) + "): apt-get install python3-brian", file=sys.stderr)
    sys.exit(3)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_baseline as nb  # noqa: E402  (same directory: the shared network builder)


def network(net, n, spn):
    b2.prefs.codegen.target = "cython"
    b2.prefs.logging.console_log_level = "ERROR"
    logging.getLogger("brian2").setLevel(logging.ERROR)
    b2.defaultclock.dt = 1 * b2.ms
    keep_u = (nb.DECAY_UNITY - (net["du"] + 1)) / nb.DECAY_UNITY
    keep_v = (nb.DECAY_UNITY - net["dv"]) / nb.DECAY_UNITY
    group = b2.NeuronGroup(n, """
        u : 1
        v : 1
        a : 1
        keep_u : 1 (constant)
        keep_v : 1 (constant)
        bias : 1 (constant)
        theta : 1 (constant)
        """, threshold="v > theta", reset="v = 0", method="exact")
    group.keep_u = keep_u
    group.keep_v = keep_v
    group.bias = net["bias"].astype(float)
    group.theta = net["theta"].astype(float)
    # One chip step: decay, integrate this step's input, then the threshold test.
    group.run_regularly("u = u * keep_u + a * 64\nv = v * keep_v + u + bias\na = 0", when="groups")
    sources = np.repeat(np.arange(n), spn)
    recurrent = b2.Synapses(group, group, "w : 1", on_pre="a_post += w")
    recurrent.connect(i=sources, j=net["targets"].ravel())
    recurrent.w = net["weights"].ravel().astype(float) * 2.0 ** nb.RECURRENT_WEIGHT_EXP
    recurrent.delay = net["delays"].ravel().astype(float) * b2.ms
    poisson = b2.PoissonGroup(net["width"], rates=nb.INPUT_RATE / b2.ms)
    mask = net["in_weights"] != 0
    rows = np.nonzero(mask)
    feed = b2.Synapses(poisson, group, "w : 1", on_pre="a_post += w")
    feed.connect(i=rows[0], j=net["in_targets"][rows])
    feed.w = net["in_weights"][rows].astype(float) * 2.0 ** nb.INPUT_WEIGHT_EXP
    spikes = b2.SpikeMonitor(group, record=False)
    inputs = b2.SpikeMonitor(poisson, record=False)
    return b2.Network(group, recurrent, poisson, feed, spikes, inputs), spikes, inputs


def main():
    args = nb.parse_args(__doc__)
    n, spn = args.neurons, args.synapses_per_neuron
    t0 = time.perf_counter()
    net = nb.build(n, spn, args.seed)
    b2.seed(args.seed)
    model, spikes, inputs = network(net, n, spn)
    # The warm-up also compiles the generated code.
    model.run(max(args.warmup, 1) * b2.ms)
    build_seconds = time.perf_counter() - t0
    spikes_before, inputs_before = int(spikes.num_spikes), int(inputs.num_spikes)
    start = time.perf_counter()
    model.run(args.steps * b2.ms)
    seconds = time.perf_counter() - start
    fired = int(spikes.num_spikes) - spikes_before
    input_spikes = int(inputs.num_spikes) - inputs_before
    events = fired * spn + input_spikes * float(np.mean(net["in_row"]))
    nb.report("brian2 " + b2.__version__ + " (cython, float64)", args, net, build_seconds, seconds, fired, events)


if __name__ == "__main__":
    main()
