/** Internals of the energy accounting: counter readers (process CPU, RAPL, {@code /proc/stat}) and the apportioning. */
package dev.cnai.energy.impl;
