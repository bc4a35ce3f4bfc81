/**
 * The emulated chip: Lava's bit-accurate Loihi arithmetic (docs/chip-semantics.md) behind the hal
 * {@link org.quench.hal.Device} SPI, opened as {@code emu:loihi} through {@link
 * org.quench.emulator.EmulatorProvider}.
 *
 * <p>Decisions where Lava's models leave room, all covered by tests and described in
 * docs/chip-semantics.md:
 * <ul>
 *   <li>Periodic reset: due at the end of step t when {@code (t-1) mod interval == reset_offset};
 *       the zeroing is applied at the start of step t+1, so probes of step t still show the state
 *       its spikes came from (as Lava's LIFReset golden vector requires). The reset also clears a
 *       running refractory period.
 *   <li>Ternary neurons with reset by subtraction subtract {@code vth << 6} after a +1 and
 *       {@code vth_lo << 6} after a -1; refractory applies after either.
 *   <li>Host payloads: binary axon groups accept -1..1 (non-zero counts as one spike), graded
 *       groups a signed {@code num_message_bits} integer.
 *   <li>Activations are int32 and wrap like numpy int32; a CONV group's per-step, per-delay sum
 *       wraps to the state width; a negative weight exponent floors each per-(step, delay,
 *       target) sum of its group.
 * </ul>
 *
 * <p>Loading: {@link org.quench.emulator.EmulatorDevice#load} runs hal's ImageValidator (the one
 * judge of an image; errors name core, neuron or group), then builds each core in two steps:
 * {@code CoreParameters} materialises its per-neuron integers (du, dv, vth, vth_lo, refractory,
 * bias mantissa and exponent, initial state) and each group's prepared weights (hal's
 * WeightRules), and {@code EmulatedCore} derives its step constants from them, packing the
 * synapses through {@code SynapseMemory}. Per-instance deviations belong between the two.
 *
 * <p>Design: each core holds flat primitive arrays (state, per-neuron decay factors, a ring of
 * activation slots sized by its largest delay, one packed int per synapse: target | delay |
 * prepared weight). A step is two phases separated by one barrier; each worker thread owns a
 * fixed set of cores and only ever writes those, so results do not depend on the thread count.
 * Throughput is bound by fetching the synapse rows of the step's spikes from memory: a core reads
 * them all once (independent loads, so the misses overlap) before summing; each source core
 * locates its outgoing routes' spike ranges once per step; the cores of a worker share one
 * deferred-sum scratch so it stays in cache. A FLOOR group whose rows touch many cells in a step
 * is finished by one in-order sweep of scratch and the delay line rather than a scattered write
 * per synapse. Gathering the next core's events while this core's rows arrive (a two-core
 * pipeline) was measured and was slower.
 *
 * <p>Where the time goes ({@code quench bench}: 100k neurons, 10.1M synapses, 5% spiking, 261
 * cores; JFR execution samples of the measured steps, 2 threads, late 2026 on a shared 2-core
 * machine): fetching the spiking rows from memory ({@code touchRows}) about 22% of the step time,
 * gathering routed and host events ({@code deliver}) 19%, the neuron update 15%, the dense FLOOR
 * sweep of scratch into the delay line 13%, summing rows into scratch 7%, the barrier 2%. Each
 * spike here reaches 4 cores with a row of about 25 synapses there (two cache lines), so a step
 * costs about 40k row fetches; the dense sweep visits 8 delays x 384 cells per core whatever the
 * activity. Tried in this round, bit-exact but not measurably faster under load: the FLOOR sweep
 * split into an add loop and a fill (vector code), all route ranges read before any copy, a
 * one-group fast path without the sort by group, branch-free voltage clamps. The next steps that
 * change the arithmetic of memory: a per-neuron fan-out table (one contiguous block per source
 * neuron listing every destination core's row, so a spike costs one streaming read instead of 4
 * scattered ones and the route gathering disappears), and 16-bit synapse words grouped by delay
 * (target and weight only; halves the bytes fetched per event).
 *
 * <p>Per-instance variability plugs in between {@code CoreParameters} and {@code EmulatedCore}:
 * the step loops read per-neuron arrays only ({@code uFactor}, {@code vFactor}, {@code vthEff},
 * {@code effBias}, filled from CoreParameters' per-neuron du, dv, vth and bias), never shared
 * profile tables, so per-neuron deviations cost nothing per step. Per-step temporal noise needs
 * one more add per neuron; it belongs in a third update loop chosen at load (as {@code plain}
 * selects the fast loop today), so noiseless chips keep the current loop.
 */
package org.quench.emulator;
