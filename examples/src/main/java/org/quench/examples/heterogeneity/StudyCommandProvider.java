package org.quench.examples.heterogeneity;

import org.quench.runtime.cli.QuenchCommand;

/** Contributes {@code quench study} to the {@code quench} command (found with ServiceLoader). */
public final class StudyCommandProvider implements QuenchCommand {
  @Override
  public Object command() {
    return new StudyCommand();
  }
}
