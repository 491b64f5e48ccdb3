/**
 * Energy of the pipeline's steps: {@link dev.cnai.energy.EnergyMeter} measures the CPU time this process spends
 * while an event is being handled and converts it to joules (RAPL package counters where
 * {@code /sys/class/powercap/intel-rapl} is readable, else CPU-seconds × a configured watts per busy core);
 * {@link dev.cnai.energy.EnergyLedger} records one {@link dev.cnai.energy.StepEnergy} per handled event under the
 * run in the object store, so a run's energy can be summed per step and in total. Method and defaults:
 * {@code docs/operations.md#energy}.
 */
package dev.cnai.energy;
