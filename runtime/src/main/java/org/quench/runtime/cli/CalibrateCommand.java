package org.quench.runtime.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Devices;
import org.quench.runtime.calibrate.Calibration;
import org.quench.runtime.calibrate.ProfileComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quench calibrate}: measures a chip instance's per-neuron deviations through the Device
 * SPI and writes them as a device profile (docs/variability.md, "Calibration").
 */
@Command(
    name = "calibrate",
    mixinStandardHelpOptions = true,
    versionProvider = QuenchCli.Version.class,
    description = "Measure a chip's per-neuron deviations (decays, threshold, bias, gain, faults) "
        + "and write its device profile.",
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench calibrate --device 'emu:loihi?serial=7&variability=analog' -o chip7.qprof --cores 0-3",
        "  quench calibrate --device grpc://board:7000/chip0 -o chip0.qprof --cores all",
        "  quench calibrate --device emu:my-chip.json -o mine.qprof     (any chip spec)",
        "  quench compile model.nir -o m.qimg --profile chip7.qprof     (compensate for it)"})
final class CalibrateCommand implements Callable<Integer> {
  @Option(names = "--device", paramLabel = "URI", required = true, description = "The chip to measure.")
  String device;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT.qprof", required = true,
      description = "Where to write the profile (binary; a .json name writes the JSON form).")
  Path output;

  @Option(names = "--cores", paramLabel = "LIST", defaultValue = "0-3",
      description = "Cores to calibrate: 'all' or e.g. 0-3,7 (default: ${DEFAULT-VALUE}).")
  String cores;

  @Option(names = "--chip", paramLabel = "N", defaultValue = "0",
      description = "Chip whose cores are calibrated (default: ${DEFAULT-VALUE}).")
  int chip;

  @Option(names = "--spec", paramLabel = "SPEC",
      description = "The chip spec the device follows: a built-in name or a spec JSON file (default: "
          + "the built-in spec the device names, or the spec file of an emu:/path/spec.json device).")
  String chipSpecName;

  @Option(names = "--neurons", paramLabel = "N",
      description = "Neurons per core, from 0 (default: all the spec has).")
  Integer neurons;

  @Option(names = "--synapses", paramLabel = "N", defaultValue = "16",
      description = "Calibration synapses per neuron for its gain (default: ${DEFAULT-VALUE}).")
  int synapses;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "8",
      description = "Cores per calibration image (default: ${DEFAULT-VALUE}).")
  int batch;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Device d = Devices.open(device)) {
      ChipSpec chipSpec = Calibration.deviceSpec(d.info(), chipSpecName);
      int n = neurons == null ? chipSpec.neuronsPerCore() : neurons;
      List<int[]> selected = Calibration.parseCores(cores, chip, chipSpec.coresPerChip());
      Calibration.Options options = new Calibration.Options(selected, n, synapses, batch);
      long started = System.nanoTime();
      Calibration.Result result;
      try (Progress bar = Progress.start("calibrate", selected.size(), CommandSupport.quiet(spec))) {
        result = Calibration.run(d, chipSpec, options, bar::stepBy);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      DeviceProfile measured = result.profile();
      measured.write(output);
      out.printf(Locale.ROOT, "calibrated %d cores x %d neurons of chip %s on %s in %.1f s%n",
          selected.size(), n, measured.serial(), device, seconds);
      out.printf(Locale.ROOT, "faults: %d dead, %d hot neurons; %d of %d calibration synapses deliver nothing%n",
          result.dead(), result.hot(), result.stuckSynapses(), (long) selected.size() * n * synapses);
      if (result.unresolved() > 0) {
        out.printf(Locale.ROOT, "warning: %d neurons could not be measured (threshold never reached, or on a"
            + " noisy chip too few usable steps to fit bias and decay); what was not measured is left nominal%n",
            result.unresolved());
      }
      out.println("measured deviation from nominal (per neuron, |factor - 1|):");
      out.print(ProfileComparison.fromNominal(measured, selected, n).table("mean", "max"));
      if (result.noise() > 0) {
        out.printf(Locale.ROOT, "temporal noise on v: %.5f of the effective threshold per step (measured in"
            + " the residuals); expected error of the measurement (worst neuron, 3 standard errors):%n",
            result.noise());
      } else {
        out.println("resolution of the measurement (half an integer step of the calibration values):");
      }
      for (Map.Entry<String, Double> e : result.expectedError().entrySet()) {
        out.printf(Locale.ROOT, "  %-14s %.3f %%%n", e.getKey(), 100 * e.getValue());
      }
      DeviceProfile reported = d.profile();
      if (!reported.isNominal() && !reported.isMeasured()) {
        ProfileComparison err = ProfileComparison.between(measured, reported, selected, n);
        out.printf(Locale.ROOT, "check against the profile the device reports (%s): %d fault flags differ%n",
            reported.model(), err.faultMismatches());
        out.print(err.table("mean error", "max error"));
        out.println("  (weight: the row gain; calibration measures the mean of " + synapses
            + " synapses, each with its own spread)");
      }
      out.println("profile: " + output);
      out.flush();
    }
    return 0;
  }
}
