package org.quench.emulator;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.quench.hal.ChipSpec;
import org.quench.hal.DeviceProfile;
import org.quench.hal.VariabilityModel;
import org.quench.hal.Device;
import org.quench.hal.DeviceProvider;
import org.quench.hal.QuenchException;

/**
 * The {@code emu:} device provider: opens an in-process {@link EmulatorDevice}.
 *
 * <p>URI forms: {@code emu:loihi} (a built-in spec by name), {@code emu:/path/to/spec.json} (a spec
 * file), each optionally followed by {@code ?serial=S&threads=N&variability=V} or
 * {@code ?profile=FILE}. {@code serial} is the chip instance's serial (letters, digits, '_', '.',
 * '-'; default {@code 0}); {@code threads} the worker thread count (1..1024; default: available
 * processors); {@code variability} a preset ({@code ideal}, {@code digital}, {@code mild},
 * {@code analog}) or a variability model JSON file, realized for the serial (serial 0 is always
 * nominal); {@code profile} a device profile file ({@code quench calibrate} writes one), which
 * brings its own serial. Any other parameter is refused. See docs/variability.md.
 */
public final class EmulatorProvider implements DeviceProvider {
  /** The URI scheme served. */
  public static final String SCHEME = "emu";

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public String description() {
    return "in-process bit-accurate emulator (emu:loihi, emu:/path/spec.json; ?serial=S&threads=N&variability=analog, ?profile=chip.qprof)";
  }

  @Override
  public Device open(URI uri) {
    if (uri.getScheme() == null || !SCHEME.equalsIgnoreCase(uri.getScheme())) {
      throw new QuenchException("device URI '" + uri + "' is not an emu: URI");
    }
    String chip = specOf(uri);
    String ssp = schemeSpecificPart(uri);
    int q = ssp.indexOf('?');
    String query = q < 0 ? "" : ssp.substring(q + 1);
    String serial = null;
    String variability = null;
    String profileFile = null;
    int threads = Runtime.getRuntime().availableProcessors();
    if (!query.isEmpty()) {
      for (String pair : query.split("&", -1)) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String key = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        switch (key) {
          case "serial":
            if (!value.matches("[A-Za-z0-9_.-]+")) {
              throw new QuenchException("device URI '" + uri + "': parameter serial='" + value
                  + "' must be letters, digits, '_', '.' or '-'");
            }
            serial = value;
            break;
          case "threads":
            try {
              threads = Integer.parseInt(value);
            } catch (NumberFormatException e) {
              threads = -1;
            }
            if (threads < 1 || threads > 1024) {
              throw new QuenchException("device URI '" + uri + "': parameter threads='" + value
                  + "' must be an integer from 1 to 1024");
            }
            break;
          case "variability":
            variability = value;
            break;
          case "profile":
            profileFile = value;
            break;
          default:
            throw new QuenchException("device URI '" + uri + "': unknown parameter '" + key
                + "'; emu: accepts serial, threads, variability and profile");
        }
      }
    }
    ChipSpec spec = ChipSpec.resolve(chip);
    DeviceProfile profile;
    if (profileFile != null) {
      if (variability != null) {
        throw new QuenchException("device URI '" + uri + "': give variability= (a model) or profile="
            + " (one chip's profile), not both");
      }
      profile = DeviceProfile.read(Path.of(profileFile));
      if (serial != null && !serial.equals(profile.serial())) {
        throw new QuenchException("device URI '" + uri + "': serial=" + serial + " but profile "
            + profileFile + " describes chip " + profile.serial() + "; drop serial=");
      }
    } else {
      VariabilityModel model = VariabilityModel.preset("ideal");
      if (variability != null) {
        try {
          model = VariabilityModel.resolve(variability);
        } catch (QuenchException e) {
          throw new QuenchException("device URI '" + uri + "': " + e.getMessage());
        }
      }
      profile = DeviceProfile.generated(model, serial == null ? "0" : serial);
    }
    return new EmulatorDevice(spec, profile, threads, uri.toString());
  }

  /**
   * The chip spec an {@code emu:} URI names, as {@link ChipSpec#resolve} takes it: a built-in
   * name or a spec file's path ({@code loihi} when it names none). Its parameters are not read.
   */
  public static String specOf(URI uri) {
    String ssp = schemeSpecificPart(uri);
    int q = ssp.indexOf('?');
    String chip = decode(q < 0 ? ssp : ssp.substring(0, q));
    if (chip.startsWith("//")) {
      throw new QuenchException("device URI '" + uri + "': write emu:NAME or emu:/path/to/spec.json, not emu://");
    }
    return chip.isEmpty() ? "loihi" : chip;
  }

  /** emu:loihi?x=1 is an opaque URI (getQuery() is null): the part after the scheme, raw. */
  private static String schemeSpecificPart(URI uri) {
    String ssp = uri.getRawSchemeSpecificPart();
    return ssp == null ? "" : ssp;
  }

  /**
   * A URI part with its %XX escapes decoded. A '+' stays a '+': in a URI it is an ordinary
   * character (spec and model files are given by path, and paths may hold one), not a form's
   * space.
   */
  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
