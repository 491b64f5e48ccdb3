/**
 * The run report: {@link dev.cnai.cli.report.RunReport} gathers what a run left in the object store (and, when
 * reachable, its version in the registry); {@link dev.cnai.cli.report.ReportPage} renders it as one self-contained HTML
 * page whose charts are inline SVG drawn by {@link dev.cnai.cli.report.Charts} (no script, no network).
 */
package dev.cnai.cli.report;
