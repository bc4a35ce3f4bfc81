package org.quench.runtime.campaign;

import org.quench.hal.ChipImages;
import org.quench.hal.VariabilityModel;

/**
 * One variability level of a campaign, resolved once: the name the user gave (a preset or a model
 * file's path), the model itself, and the id chips of this level travel under. A preset's id is
 * its name; a file's id is {@code model-} and the first 16 hex digits of the SHA-256 of the model's
 * protobuf bytes, so it follows the file's content and not its path: a cluster campaign's key
 * changes when a file changes and stays when only its path does (docs/cluster.md).
 *
 * @param name the level as given ({@code analog}, {@code lab/chips.json}); results carry it
 * @param id what a chip of this level is called inside a work item
 * @param model the resolved variability model
 */
record VariabilityLevel(String name, String id, VariabilityModel model) {
  /** Resolves a preset name or reads a model file (one line naming the file when it cannot). */
  static VariabilityLevel resolve(String name) {
    VariabilityModel model = VariabilityModel.resolve(name);
    String id = VariabilityModel.PRESETS.contains(name) ? name
        : "model-" + ChipImages.sha256(model.data().toByteArray()).substring(0, 16);
    return new VariabilityLevel(name, id, model);
  }

  /** A level as a cluster member receives it: known by its id alone. */
  static VariabilityLevel received(String id, VariabilityModel model) {
    return new VariabilityLevel(id, id, model);
  }
}
