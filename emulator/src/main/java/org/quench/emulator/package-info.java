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
 * activation slots, one packed int per synapse: target | delay | prepared weight). The ring has
 * one slot per value the word's delay field can hold (a power of two) and each slot is as wide
 * as its target field, so a word's low bits plus a per-step rotation, masked, are the ring cell
 * its activation lands on: no per-synapse slot lookup. Against a ring of (largest delay + 1) x n
 * cells this takes more memory: 1.33 times for the bench's cores (8 x 512 cells for 384 neurons
 * and delays 0..7). Each of the two roundings up to a power of two costs less than twice, so
 * the ring is under 4 times as large; on loihi's cores (up to 1024 neurons, delays up to 63) the
 * worst is largest delay 32 on 513 neurons, 64 x 1024 cells against 33 x 513: 3.87 times
 * (256 KiB for the core's delay line, where 66 KiB would do). A step is two phases separated
 * by one barrier; in each step every core is stepped by one worker thread, which writes only
 * that core's arrays, so results do not depend on the thread count or on which worker took a
 * core. Each worker has a share of the cores, steps it from the front, then takes what is left
 * of the others' shares from their backs (StepWorkers: cores stay in one processor's caches,
 * and a step is not as long as its slowest worker); a share is walked forwards in even steps
 * and backwards in odd ones, so the cores stepped last are the first of the next step. A core that throws stops the run at that
 * step; the device then refuses to run on until reset() or load().
 * A worker runs each core's phase 2 of step t right before its phase 1 of step t+1, so a core's
 * delay line and neuron arrays come from memory once per step, not once per phase (StepWorkers
 * says why the order is safe). Phase 1 writes each core's spikes twice: as a sorted list (what
 * probes and output ports record) and as a bitmap of one bit per neuron, a slice of one array
 * per parity that all cores share. Phase 2 reads each
 * incoming route's spikes from its source's bitmap (a route of up to 32 neurons is two word
 * loads, however many of them spiked), writes the events straight into per-group slices (routes
 * within one group and two words are ordered by group at load, so one pass with no count pass
 * and no per-event lookup; the few others and the host events follow, bucketed by a count pass
 * and a place pass), reads all their synapse rows once ({@code touchRows}: independent loads,
 * so the misses overlap), then sums them; the cores a worker steps share its deferred-sum scratch so it stays in cache
 * (one array per scratch size, a power of two: the summing loops index it and the ring by a mask
 * of their own length, so the JIT drops the bounds checks). The
 * scratch is laid out like the ring, cell for cell (rotated the same way), so a FLOOR group whose
 * rows touch many cells in a step is finished by one same-index sweep of scratch into the ring,
 * which C2 vectorises, rather than a scattered write per synapse. (With the scratch unrotated the
 * sweep was eight loops at different offsets into the two arrays, which C2 left scalar: 0.3 ns a
 * cell against 0.06-0.09 for the same-index loop in a microbenchmark. A rotated ring with
 * (largest delay + 1) slots needed a slot lookup or a wrap per synapse; the power-of-two ring needs an
 * add and a mask. JarAB against the build before: time ratio 0.904 and 0.898 on one thread,
 * 0.923, 1.026 and 0.958 on two, 0.962 at 12k neurons on one.)
 *
 * <p>Output taps (the run's output ports) record one int per spike (the port index) and a
 * running total per step, so a port's result is assembled by block copies in (step, index)
 * order; collecting outputs in process costs less than encoding them for a remote client
 * ({@code RemoteBench}: in-process at least as fast as the loopback board on every case).
 *
 * <p>Fourth look, December 2026 (JFR execution samples, {@code quench bench --threads 2}, 6,000
 * steps, before the changes below): the neuron update 25%, {@code touchRows} 22%, summing 21%,
 * gathering 13% and the FLOOR sweep 12%. Each change was measured with {@code JarAB} against
 * the build before it (40 windows of 300 steps on two threads, 30 on one; time ratio B/A):
 * <ul>
 *   <li>The direct gather wrote a route's events in a loop over its set bits, 0-3 of them, whose
 *       exit the branch predictor cannot know. It now writes four events whatever the count (a
 *       loop only for the rare fifth and later), and the next route overwrites what lies past the
 *       count: 0.957 and 0.913 on two threads, 0.917 on one. Mispredicted exits cost more here
 *       than the profile suggested.
 *   <li>All cores' spike bitmaps in one array per parity: a route's words come from one array,
 *       with no per-route array reference to load and no array header to check its index
 *       against: 0.965 on two threads, 0.927 on one.
 *   <li>Shares walked back and forth (above): 0.975 and 0.983 on two threads, 0.999 on one. The
 *       best windows gained the most (116M and 98.6M against 89.7M and 82.2M neuron updates/s):
 *       the cores a worker reuses must still be in its caches, which other tenants of the host
 *       take.
 *   <li>Phase 2's event buffers lent by the worker, like the scratch, instead of two arrays per
 *       core sized for every spike its routes could carry (about 80 of 1,540 cells used a step):
 *       the lines a step fills stay in the worker's cache, and the bench's neuron state fell from
 *       15.2 to 12.0 MiB. 0.973 on two threads, 0.960 on one.
 *   <li>What the gather reads of a direct route (first bitmap word, with the other-chip flag in
 *       its sign bit; two masks; the axon base) packed in one array, four ints a route, instead
 *       of six arrays of one int each, and the second word always the next one: 0.939 on two
 *       threads, 0.928 on one. Per-route work, not per-core lines, is what this paid for: the
 *       same packing of the per-group arrays (mode, exponent, payload flag, route and event
 *       bounds: five arrays, a line each per core and step, in one table) measured 0.976 on two
 *       threads and 1.014 on one, and was not kept.
 * </ul>
 * After these (JFR again, same command, 103.3M neuron updates/s, 1,720 us of process CPU a
 * step): the neuron update 27%, {@code touchRows} 23%, summing 20%, the FLOOR sweep 9% and
 * gathering 8% (from 13%); the barrier 1.6%. All the changes together against the build
 * before them (JarAB, 40 windows of 300 steps, two threads): 0.914 and 0.978, in a quiet and a
 * busier stretch, and 0.952 on one thread; each change's own ratio above carries the noise of its run, so their product
 * overstates the sum. What is left is the update's arithmetic, the rows' memory latency and the
 * summing loop, each close to what scalar code does here; the next step needs fewer bytes per
 * synapse row fetched or SIMD in the update, not more reordering.
 * Tried and not kept:
 * <ul>
 *   <li>Every core's synapse rows in one array, ordered by source neuron, so that the rows one
 *       spike reaches in its (about four) destination cores lie side by side and share cache
 *       lines: 1.090 on two threads. Most likely a core's rows no longer lying in one small
 *       region cost more than the shared lines saved, which another destination seldom found
 *       still cached when it came to them.
 *   <li>The plain update reading each neuron's decay factors and threshold from a per-core table
 *       of its distinct pairs through a 2-byte index (2 bytes a neuron instead of 8): 1.029.
 *   <li>The plain update's per-neuron arrays (u, v, decay factors, threshold, bias) interleaved
 *       in one array, five ints a neuron, so the update streams one array: 1.044.
 *   <li>{@code touchRows} reading all the events' row bounds first, then the rows, so that no
 *       row fetch waits for its bounds: 1.003. The fetches are bound by the misses the processor
 *       can keep in flight, not by the chain before each.
 *   <li>In microbenchmarks only (not worth a build): the summing loop with a branch-free masked
 *       tail (0.84 against 0.85 ns an event, rows in random order; the bench's rows all have 25
 *       or 20 synapses, so their loop exits are already predicted), and a branch-free spike test
 *       in the update with the bitmap word kept in a register (4.4 against 3.7 ns a neuron).
 * </ul>
 *
 * <p>Where the time goes, third look (JFR execution samples, {@code quench bench --threads 1
 * --steps 4000}, 100k neurons, after the changes below): {@code touchRows} 23%, the neuron
 * update 24%, summing rows into scratch 17%, gathering events 16% (a third of it the loads of
 * the source bitmaps), the FLOOR sweep 10% (its first touch of each delay line in the step).
 * What changed the most was not in any of these but in how the two workers share the cores.
 * Two independent single-thread benches run side by side here gave 21M and 19M neuron updates/s
 * against 53M alone, and the same compute-bound loop ran 3.4 and 5.4 ns a neuron on the two
 * processors at once against 3.1 alone: the two processors are not equal, they slow each other
 * down, and which one is slower changes. A fixed share per worker left the faster one waiting at
 * the barrier; one common counter for all cores (time ratio 0.95 against fixed shares, {@code
 * JarAB}, 40 windows of 300 steps, two threads) sent each core to either processor from step to
 * step, out of the caches of the other; own share first and then the others' leftovers from
 * their backs ran 0.82-0.87 against the common counter, and the build with all this session's
 * changes 0.77-0.86 against the one with fixed shares (three runs; 1.016 in a fourth, in the
 * host's busiest hour). In the
 * bench 17% of core steps were taken over that way: at times one processor does twice the work
 * of the other. Smaller changes, each neutral to a few percent within the noise: the mask-indexed
 * scratch and delay line without bounds checks (0.973 on one thread, 0.975 on two); routes
 * ordered by group, gathered in one pass (0.965, 0.989); the FLOOR sweep skipping the cells of
 * each delay slot beyond the core's neurons (0.994, 0.994). Touching the delay line and the
 * neuron arrays in the {@code touchRows} burst, so their misses overlap those of the rows, was
 * slower (1.069 on one thread, 1.012 on two) and was not kept. In isolation the neuron update
 * costs 3.1 ns a neuron (a microbenchmark of the same loop over 261 cores of 384 neurons), 4.8
 * in the bench: most likely the rest is its arrays coming from the shared cache; a variant with the decays
 * in int arithmetic (split product) ran 3.8, one with a branch-free spike word 4.3. Fewer bytes
 * for the update to stream paid (the decay factors packed, below); fewer arrays with the same
 * bytes did not: u and v interleaved in one array ran 0.933 on two threads and 0.946 on one,
 * then 1.017 and 1.020 on two in quieter runs (not kept). Nor did a 16-bit delay line and scratch (a throwaway build without
 * the overflow proof it would need; the bench's values fit): 1.034 on two threads, as the
 * narrowing loads and stores cost more than the halved delay-line traffic saved.
 *
 * <p>Where the time goes, measured again in December 2026 by timing each part of the step with
 * {@code System.nanoTime} around it (a throwaway build; about 30 ns a reading, under 3% of a
 * step), {@code quench bench --threads 1}, 1,000 warm-up and 2,000 (100k neurons) or 20,000 (12k
 * neurons) measured steps:
 * <ul>
 *   <li>neuron update: 23% at 100k neurons (2,025 us a step), 29% at 12k (188 us a step; 4.6 ns a
 *       neuron);
 *   <li>summing rows into scratch, and the FLOOR sweep: 35% and 38%;
 *   <li>{@code touchRows}: 23% (23 ns a row) and 12% (10 ns a row);
 *   <li>gathering events (count, place, host events): 19% and 21%.
 * </ul>
 * At 12k neurons everything but the synapse words fits the caches, yet a neuron costs 15.6 ns
 * there against 20-25 ns at 100k. So most of the step is instructions, not memory: the update
 * takes the same 4.4-4.7 ns a neuron at both sizes, and only the row fetches grow with the size.
 * Two layout changes built on the opposite belief measured neutral (JarAB, 16 windows of 600
 * steps): all of a worker's hot neuron arrays and delay lines in one array, in stepping order, so
 * that the prefetcher streams from core to core (time ratio 1.024 on one thread, 1.022 on two;
 * not kept), and the spike bitmap above in place of per-route boundary tables (0.986 and 1.007
 * on one thread, 0.974 on two; kept: a route read costs one word whatever the activity, and the
 * boundary tables, their search and their upkeep in phase 1 are gone). The same jar on JDK 25
 * ran as fast as on JDK 17 (77.6-83.9M against 78.5-80.5M, alternating runs): the newer C2 did
 * not vectorise more of the step. Within gathering, placing the events costs about 9 ns an
 * event, much of it mispredicted branches on the 0-3 spikes a route carries; with two threads,
 * worker 0 waited about 35 us a step at the barrier against 3-16 us for worker 1 (a 3% imbalance
 * of the static partition). The next gains need fewer instructions per synaptic event (the sum
 * and the sweep) or SIMD, not a better memory layout.
 *
 * <p>The earlier profile ({@code quench bench --threads 2}: 100k neurons, 10.1M synapses, 5%
 * spiking, 261 cores; JFR execution samples of the worker step loop, 4000 steps, 2-core machine
 * with other JVMs running, December 2026; 2170-2700 us of process CPU per step, 65-87M neuron
 * updates/s from run to run): the plain neuron update 21% (streaming seven int arrays, 28 bytes a
 * neuron, and the delay slot; the samples sit on the store of v); reading the synapse rows of the
 * step's spikes ({@code touchRows}, almost all of it waiting on memory) 21%; the dense FLOOR sweep
 * of scratch into the delay line 20% (nearly all on its add line: the delay lines are not in cache);
 * gathering routed and host events ({@code deliver}) 19%, most of it cache misses on spike lists
 * and boundary tables that the other worker just wrote; summing rows into scratch 12%; route
 * boundaries 2%; the barrier 3%. Each spike reaches 4 cores with a row of about 25 synapses there
 * (two cache lines), so a step costs about 40k row fetches; the sweep visits 8 delays x 384 cells
 * per core whatever the activity, and a worker's delay lines and neuron arrays (about 3 MB) do not
 * fit its 1 MB L2, so every step streams them from L3.
 *
 * <p>Tried and not kept: a branch-free neuron update in pure int arithmetic (exact, meant to be
 * vectorised) ran 1.7x slower than the branchy loop in a microbenchmark on JDK 17's C2, which did
 * not vectorise its min/max wrap; the FLOOR sweep as an add loop plus a fill, all route ranges
 * read before any copy, a two-core pipeline of gathering and row fetches, branch-free voltage
 * clamps (no measurable gain). Also without a measurable gain (A/B runs interleaved, 3-4 each, on
 * the loaded machine, where one configuration spreads by +-15%): zeroing scratch inside the
 * sweep's add loop instead of a separate fill; appending the spike list without a branch (always
 * store the index, add the comparison to the count); giving each worker a contiguous block of
 * cores instead of alternating ones; the JVM with ParallelGC or with AVX2 instead of AVX-512.
 * None of these touches the memory traffic that dominates.
 *
 * <p>Tried later (A/B in one JVM: both builds loaded through their own class loaders, 12-16
 * alternating rounds, median time ratio): pushing spikes instead of pulling them, through a
 * fan-out table per source neuron and a per-worker outbox with one region per (destination core,
 * group), was about 5% slower on one thread and 8% slower on two. The scattered event writes into the
 * outbox regions missed the cache as often as the route reads they replaced (JFR: the new send
 * loop took the 18% that the gathering had). Splitting the update into a branch-free arithmetic
 * pass and a spike scan (10-15% faster on its own in a microbenchmark) changed nothing
 * measurable in the bench, and neither did gathering the events of all of a worker's cores before
 * finishing any (time ratio 0.997 on one thread, the two orders toggled in one JVM on one loaded
 * network, 12 alternating windows). Touching the rows six events ahead inside the summing loop,
 * instead of the separate {@code touchRows} pass, ran 2.3 times slower (same method): the summing
 * work queued behind each miss fills the reorder buffer, so the misses no longer overlap; the
 * separate pass of bare loads is what keeps many in flight. What helps: transparent huge pages for the heap (the {@code quench}
 * launcher turns them on where the kernel allows; better in 5 of 6 interleaved pairs, by 0-19%).
 *
 * <p>Tried after that, each against the unchanged build in one JVM (both jars loaded through
 * their own class loaders, 12-16 alternating windows of 400 steps, other processes paused), none
 * kept:
 * <ul>
 *   <li>3-byte synapse words (the bench needs 21 bits): 4.32 to 3.32 bytes/synapse, time ratio
 *       0.98-1.03, so no gain. The bench fetches about 40k rows a step whatever their length:
 *       with 50, 75 and 100 synapses per neuron (same routes, rows of 12.5 to 25 synapses) it
 *       ran 107.6M, 95.3M and 89.8M neuron updates/s in one quiet stretch. The cost is the
 *       latency of the first line of a row, not the bytes. Reading the words through a byte-array
 *       VarHandle also costs a bounds check per word that int[] words do not have (JFR put a
 *       sixth of the samples of a 10k-neuron run in it).
 *   <li>A vectorised dense FLOOR sweep. Scratch was laid out like the delay line, cell for cell,
 *       so the sweep became one same-index loop, which C2 vectorises: 0.05 ns a cell against
 *       0.45 for the eight offset loops, in a microbenchmark. The sweep fell from 20% to 5% of
 *       the samples, but the summing pass rose by as much (it now looks up the slot of a delay),
 *       and the time ratio was 0.975. The sweep's share had been L3 misses on the delay line,
 *       which it is the first to touch each step; those misses moved, they did not go away. A
 *       branch-free slot wrap in the summing pass instead of the lookup ran 12-15% slower. A
 *       delay line of 2 x depth slots, where every word's cell maps by one add, was neutral
 *       (0.993).
 *   <li>The update in jdk.incubator.vector: 1.5 times faster than the scalar loop at
 *       L3-resident sizes in a microbenchmark, but 5 times slower in runs where C2 did not
 *       intrinsify it. It also needs {@code --add-modules} and prints a warning on every start.
 *       C2's auto-vectorisation of an exact branch-free int version still failed (2x slower).
 *   <li>Rows laid out so that none spans more cache lines than its length needs. All words went
 *       into one array large enough to be placed at a G1 region start, so the line phase of
 *       every index was known, and rows were padded with zero-weight words. A 25-synapse row then
 *       spans 2 lines instead of 2.56 on average. It ran 5% slower (1.054). Fewer lines per row
 *       do not pay; touching every line of a row early does: {@code touchRows} reading only each
 *       row's first word ran 1.8 times slower. The hardware does not fetch the other lines
 *       itself, and many rows' misses in flight at once is what counts.
 *   <li>Neuron parameters interleaved per neuron (u,v together; the two decay factors packed in
 *       one int; bias and threshold together): same speed as separate arrays in a microbenchmark.
 *       In the bench, though, the two decay factors packed in one int (16 bits each; one array
 *       fewer for the update to stream from the shared cache) measured 0.924, 0.990 and 0.960 on
 *       two threads and 0.942 on one (JarAB, 40 windows of 300 steps; kept).
 * </ul>
 * A caveat on those ratios: with both sides the very same build, the side loaded second ran 7-8%
 * slower, so every ratio above carries a bias of up to that size against the variant. The
 * harness is now {@code org.quench.runtime.bench.JarAB} (README "Benchmarks"), which loads half
 * the rounds in each order. With it, the unchanged build against itself gave 0.946, so
 * differences under about 5% do not show even there. The twin delay line measured 1.002 and
 * the vectorised sweep 0.931 (a single run each, within that noise). The 1.8x of the first-line
 * touch stands.
 * Kept then: the boundary positions moved into the front of the spike-list array (one object, so
 * one fewer line that the other worker just wrote per source read): JarAB time ratio 0.949
 * against the build before it, within the noise. The spike bitmap has since replaced them.
 * What did matter: warm-up. Windows measured after 200 steps ran 10-25% slower than after 1,000
 * (C2 was still recompiling the step loops), so {@code quench bench} now warms up for 1,000
 * steps. With that, in a quiet stretch, five windows ran 100.6M-104.7M neuron updates/s.
 *
 * <p>The limits, measured: with 1 synapse per neuron the bench does about 10 ns per neuron and
 * step on one thread (update and sweep alone), so at 100 synapses the remaining 10-20 ns are the
 * 5 synaptic events a neuron gets per step, of which the row fetches and the gathering are memory
 * latency that Java cannot prefetch. What is left needs a different shape of work, not a
 * tighter loop. (The per-part timing above narrows this: of the parts, only the row fetches
 * grow with the network; the others cost as much when everything is in cache.) The step fetches about 40k synapse rows from DRAM (a row per spike and
 * destination core, whatever its length), so fewer rows would pay and fewer bytes would not. One
 * way is one row per source neuron holding all its destination cores' synapses, read by the
 * source's worker, with per-worker partial sums merged at the barrier. Another is a 16-bit delay
 * line where the activation provably fits, which halves the line's L3 traffic; every loop that
 * touches the ring would need a second copy.
 * Measure on a machine with nothing else running: on a shared one, differences under 15% do not
 * show, and the same build ranged from 40M to 110M neuron updates/s within one hour here (compare
 * builds in one JVM, alternating windows, as above).
 *
 * <p>Per-instance variability plugs in between {@code CoreParameters} and {@code EmulatedCore}:
 * the step loops read per-neuron arrays only ({@code decayFactors}, {@code vthEff},
 * {@code effBias}, filled from CoreParameters' per-neuron du, dv, vth and bias), never shared
 * profile tables, so per-neuron deviations cost nothing per step. Per-step temporal noise is one
 * more add per neuron in the general update loop; chips without it keep the plain loop
 * ({@code plain} is chosen at load).
 */
package org.quench.emulator;
