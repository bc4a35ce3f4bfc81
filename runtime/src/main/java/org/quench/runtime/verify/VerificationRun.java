package org.quench.runtime.verify;

import java.util.List;
import org.quench.compiler.reference.ReferenceRun;
import org.quench.hal.DeviceInfo;
import org.quench.hal.RunResult;
import org.quench.hal.proto.ChipImage;

/**
 * A verification as it ran: the report, and both sides' traces for plots and recordings.
 *
 * @param report the comparison
 * @param image the image the device ran
 * @param reference the float reference's run (spikes of every population; u and v of the
 *     populations in {@code traced}, model units)
 * @param device the device's run: spikes of every compared population, and v of {@code traced}
 *     (chip units)
 * @param compared compared populations, in network order
 * @param traced populations whose v both sides traced
 * @param dtSeconds seconds per step (NaN when unknown)
 * @param deviceInfo the device that ran the image
 */
public record VerificationRun(VerificationReport report, ChipImage image, ReferenceRun reference,
    RunResult device, List<String> compared, List<String> traced, double dtSeconds,
    DeviceInfo deviceInfo) {
  public VerificationRun {
    compared = List.copyOf(compared);
    traced = List.copyOf(traced);
  }
}
