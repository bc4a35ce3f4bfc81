#!/usr/bin/env python3
"""NumPy baseline for `quench bench`.

Builds a network with the same statistics as quench's SyntheticNetwork (same sizes, layout rules,
parameter distributions and input; not the same random draw) and steps it with a straightforward
vectorized NumPy implementation of the chip arithmetic in docs/chip-semantics.md: a dense per-step
update of u and v on int64 arrays, and spike propagation through a CSR synapse table (fixed fan-out
per neuron) into a delay ring buffer, each step's per-delay sums shifted by the weight exponent as
Lava's bit-accurate DelayDense does. Prints one JSON object with its rates on stdout.

    python3 bench/numpy_baseline.py --neurons 100000 --synapses-per-neuron 100 --steps 1000
"""
import argparse
import json
import math
import sys
import time

try:
    import numpy as np
except ImportError:
    print("numpy_baseline.py needs numpy: apt-get install python3-numpy, or pip install numpy",
          file=sys.stderr)
    sys.exit(3)

# The built-in Loihi spec (hal/src/main/resources/org/quench/hal/specs/loihi.json).
NEURONS_PER_CORE_MAX = 1024
DECAY_PROFILES = 32
THRESHOLD_PROFILES = 16
INPUT_AXONS = 4096
OUTPUT_AXONS = 4096
SYNAPSE_MEMORY = 131072
NEURON_INDEX_BITS = 10
ROW_BITS = 32
DELAY_BITS = 6
THRESHOLD_SHIFT = 6
BIAS_MAX = 4095
DECAY_UNITY = 4096
ACT_SHIFT = 6
STATE_MAX = (1 << 23) - 1

# The synthetic network's rules (org.quench.runtime.bench.SyntheticNetwork).
FAN_OUT_CORES = 4
BLOCK = 32
INPUTS_PER_CORE = 16
INPUT_ROW = 20
INPUT_RATE = 0.05
MAX_DELAY = 7
RATE_MIN, RATE_MAX = 0.02, 0.08
WEIGHT_MIN, WEIGHT_MAX = -256, 244
RECURRENT_WEIGHT_EXP = -5
INPUT_WEIGHT_EXP = -2


def group_bytes(rows, synapses, uses_delays):
    bits = rows * ROW_BITS + synapses * (NEURON_INDEX_BITS + 8 + (DELAY_BITS if uses_delays else 0))
    return (bits + 7) // 8


def plan(neurons, spn, cores, rng):
    """Blocks of neurons and, per round, the core each block is routed to (dealt out evenly)."""
    fan_out = min(FAN_OUT_CORES, spn)
    # Neurons spread evenly: sizes differ by at most one.
    core_neurons = neurons // cores + (np.arange(cores) < neurons % cores)
    block_core, block_first, block_size = [], [], []
    for c in range(cores):
        for first in range(0, int(core_neurons[c]), BLOCK):
            block_core.append(c)
            block_first.append(first)
            block_size.append(min(BLOCK, int(core_neurons[c]) - first))
    block_size = np.array(block_size)
    n_blocks = len(block_size)
    rows = [spn // fan_out + (1 if r < spn % fan_out else 0) for r in range(fan_out)]
    dest = np.empty((fan_out, n_blocks), dtype=np.int64)
    axons = np.zeros(cores, dtype=np.int64)
    synapses = np.zeros(cores, dtype=np.int64)
    for r in range(fan_out):
        order = rng.permutation(n_blocks)
        offset = rng.integers(cores)
        dest[r, order] = (np.arange(n_blocks) + offset) % cores
        np.add.at(axons, dest[r], block_size)
        np.add.at(synapses, dest[r], block_size * rows[r])
    fits = int(core_neurons[0]) * fan_out <= OUTPUT_AXONS and bool(np.all(axons + INPUTS_PER_CORE <= INPUT_AXONS))
    for c in range(cores):
        memory = (group_bytes(int(axons[c]), int(synapses[c]), True)
                  + group_bytes(INPUTS_PER_CORE, INPUTS_PER_CORE * min(INPUT_ROW, int(core_neurons[c])), False))
        fits = fits and memory <= SYNAPSE_MEMORY
    return dict(fits=fits, cores=cores, core_neurons=core_neurons, block_core=np.array(block_core),
                block_first=np.array(block_first), block_size=block_size, dest=dest, rows=rows)


def build(neurons, spn, seed):
    rng = np.random.default_rng(seed)
    layout = None
    cores = -(-neurons // min(1000, NEURONS_PER_CORE_MAX))
    while True:  # the fewest cores whose budgets all hold
        layout = plan(neurons, spn, cores, np.random.default_rng(seed ^ 0x5DEECE66D))
        if layout["fits"]:
            break
        cores += 1
    cores, core_neurons = layout["cores"], layout["core_neurons"]
    core_start = np.concatenate(([0], np.cumsum(core_neurons)[:-1]))
    core_of = np.repeat(np.arange(cores), core_neurons)

    # Neuron profiles: per-core tables filled to the spec's limits, each neuron picks a row.
    du_table = rng.integers(256, 2049, size=(cores, DECAY_PROFILES))
    dv_table = rng.integers(64, 257, size=(cores, DECAY_PROFILES))
    vth_table = rng.integers(100, 401, size=(cores, THRESHOLD_PROFILES))
    d = rng.integers(DECAY_PROFILES, size=neurons)
    t = rng.integers(THRESHOLD_PROFILES, size=neurons)
    du = du_table[core_of, d].astype(np.int64)
    dv = dv_table[core_of, d].astype(np.int64)
    theta = vth_table[core_of, t].astype(np.int64) << THRESHOLD_SHIFT
    rate = rng.uniform(RATE_MIN, RATE_MAX, size=neurons)
    q = 1.0 - dv / DECAY_UNITY
    bias = np.minimum(BIAS_MAX, np.round(theta * (1.0 - q) / (1.0 - q ** (1.0 / rate)))).astype(np.int64)

    # Recurrent synapses, CSR by source neuron with a fixed fan-out of spn.
    block_of = np.repeat(np.arange(len(layout["block_size"])), layout["block_size"])
    targets = np.empty((neurons, spn), dtype=np.int32)
    col = 0
    for r, row in enumerate(layout["rows"]):
        dcore = layout["dest"][r, block_of]
        local = (rng.random((neurons, row)) * core_neurons[dcore][:, None]).astype(np.int64)
        targets[:, col:col + row] = core_start[dcore][:, None] + local
        col += row
    weights = rng.integers(WEIGHT_MIN, WEIGHT_MAX + 1, size=(neurons, spn))
    weights = ((weights >> 1) << 1).astype(np.int16)  # MIXED, 8 weight bits: the LSB is dropped
    delays = rng.integers(0, MAX_DELAY + 1, size=(neurons, spn)).astype(np.int8)

    # Input port: 16 axons per core, each driving 20 neurons of its core (EXCITATORY, 8 bits).
    width = cores * INPUTS_PER_CORE
    in_core = np.arange(width) // INPUTS_PER_CORE
    in_row = np.minimum(INPUT_ROW, core_neurons[in_core])
    in_targets = np.empty((width, INPUT_ROW), dtype=np.int64)
    in_mask = np.arange(INPUT_ROW)[None, :] < in_row[:, None]
    in_targets[:] = core_start[in_core][:, None] + (rng.random((width, INPUT_ROW)) * core_neurons[in_core][:, None]).astype(np.int64)
    in_weights = rng.integers(64, 256, size=(width, INPUT_ROW)).astype(np.int64) * in_mask

    synapses = neurons * spn + int(in_row.sum())
    return dict(npc=int(core_neurons[0]), cores=cores, du=du, dv=dv, theta=theta, bias=bias, targets=targets,
                weights=weights, delays=delays, in_targets=in_targets, in_weights=in_weights,
                in_row=in_row, width=width, synapses=synapses, rng=np.random.default_rng(seed + 1))


def shift(x, e):
    """x << e, or a floor (arithmetic) right shift for a negative exponent."""
    return x << e if e >= 0 else x >> -e


def trunc_decay(x, keep):
    """x * keep / 4096, truncated toward zero (the chip's decay)."""
    t = x * keep
    return np.where(t < 0, -((-t) >> 12), t >> 12)


def run(net, warmup, steps):
    n = len(net["bias"])
    spn = net["targets"].shape[1]
    ring_len = MAX_DELAY + 2  # arrival offsets 1..MAX_DELAY+1 never land on the slot being read
    ring = np.zeros(ring_len * n, dtype=np.int64)
    inp = np.zeros(n, dtype=np.int64)
    u = np.zeros(n, dtype=np.int64)
    v = np.zeros(n, dtype=np.int64)
    keep_u = DECAY_UNITY - (net["du"] + 1)
    keep_v = DECAY_UNITY - net["dv"]
    targets64 = net["targets"].astype(np.int64)
    spikes_total = events_total = 0
    start = None
    for step in range(warmup + steps):
        if step == warmup:
            start = time.perf_counter()
            spikes_total = events_total = 0
        slot = step % ring_len
        current = ring[slot * n:(slot + 1) * n]
        a = current + inp
        current[:] = 0
        u = trunc_decay(u, keep_u) + (a << ACT_SHIFT)
        u = np.where(u > (1 << 23), u - (1 << 24), np.where(u <= -(1 << 23), u + (1 << 24), u))
        v = np.clip(trunc_decay(v, keep_v) + u + net["bias"], -STATE_MAX, STATE_MAX)
        fired = v > net["theta"]
        v[fired] = 0
        idx = np.flatnonzero(fired)
        if idx.size:
            arrival = (step + 1 + net["delays"][idx].astype(np.int64)) % ring_len
            flat = (arrival * n + targets64[idx]).ravel()
            # Lava's DelayDense shifts each step's sum per delay when the spikes are received,
            # before they join the buffer: floor shifts of partial sums, not of the arrival total.
            batch = np.bincount(flat, weights=net["weights"][idx].ravel(), minlength=ring_len * n)
            ring += shift(batch.astype(np.int64), RECURRENT_WEIGHT_EXP)
        # Host input of this step reaches u one step later, like any spike.
        hits = np.flatnonzero(net["rng"].random(net["width"]) < INPUT_RATE)
        inp = shift(np.bincount(net["in_targets"][hits].ravel(), weights=net["in_weights"][hits].ravel(),
                                minlength=n).astype(np.int64), INPUT_WEIGHT_EXP)
        spikes_total += idx.size
        events_total += idx.size * spn + int(net["in_row"][hits].sum())
    seconds = time.perf_counter() - start
    return seconds, spikes_total, events_total


def parse_args(doc):
    """The command line shared by the baseline scripts (same flags as `quench bench`)."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--neurons", type=int, default=100_000)
    p.add_argument("--synapses-per-neuron", type=int, default=100)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    if args.neurons < 1 or args.synapses_per_neuron < 1 or args.steps < 1 or args.warmup < 0:
        p.error("neurons, synapses per neuron and steps must be positive; warmup non-negative")
    return args


def report(implementation, args, net, build_seconds, seconds, spikes, events, **extra):
    """Prints the one JSON line `quench bench --baseline` reads."""
    n = args.neurons
    fields = {"implementation": implementation, "neurons": n, "synapsesPerNeuron": args.synapses_per_neuron}
    fields.update(extra)
    fields.update({
        "synapses": net["synapses"],
        "seed": args.seed,
        "warmupSteps": args.warmup,
        "steps": args.steps,
        "buildSeconds": build_seconds,
        "runSeconds": seconds,
        "neuronUpdatesPerSecond": n * args.steps / seconds,
        "synapticEventsPerSecond": events / seconds,
        "stepsPerSecond": args.steps / seconds,
        "spikesPerStep": spikes / args.steps,
        "spikeFraction": spikes / args.steps / n,
    })
    print(json.dumps(fields))


def main():
    args = parse_args(__doc__)
    t0 = time.perf_counter()
    net = build(args.neurons, args.synapses_per_neuron, args.seed)
    build_seconds = time.perf_counter() - t0
    seconds, spikes, events = run(net, args.warmup, args.steps)
    report("numpy " + np.__version__, args, net, build_seconds, seconds, spikes, events,
           neuronsPerCore=net["npc"], cores=net["cores"])


if __name__ == "__main__":
    main()
