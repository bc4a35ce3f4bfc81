package org.quench.runtime.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.quench.hal.ChipImages;
import org.quench.hal.ImageSummary;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quench inspect}: explains a chip image file on its own (text summary or canonical JSON). */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    versionProvider = QuenchCli.Version.class,
    description = "Explain a chip image: header, cores and their budgets, ports, populations, and"
        + " the profile tables decoded (time constants in seconds, thresholds in model units).",
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench inspect net.qimg            human-readable summary",
        "  quench inspect net.qimg --json     the whole image as canonical JSON"})
final class InspectCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "IMAGE", description = "A chip image file written by the compiler.")
  Path image;

  @Option(names = "--json", description = "Print the whole image as JSON instead of a summary.")
  boolean json;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    if (!Files.exists(image)) {
      throw new QuenchException("image file " + image + " does not exist: give the path of a chip image"
          + " (written by the compiler)");
    }
    if (Files.isDirectory(image)) {
      throw new QuenchException(image + " is a directory, not a chip image file");
    }
    ChipImage chipImage = ChipImages.read(image);
    spec.commandLine().getOut().println(json ? ChipImages.toJson(chipImage)
        : ImageSummary.describe(chipImage) + ProfileTables.describe(chipImage));
    return 0;
  }
}
