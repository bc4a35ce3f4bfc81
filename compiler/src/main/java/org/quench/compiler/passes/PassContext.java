package org.quench.compiler.passes;

import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.report.CompileReport;
import org.quench.hal.ChipSpec;

/**
 * What every pass sees besides its input: the target chip, the user's options, and the report
 * it records decisions into.
 */
public record PassContext(ChipSpec spec, CompileOptions options, CompileReport.Builder report) {}
