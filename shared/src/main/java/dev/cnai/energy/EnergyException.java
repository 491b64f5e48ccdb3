package dev.cnai.energy;

import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;

/** Failures of the energy accounting (only its configuration can be wrong; unreadable counters fall back). */
public final class EnergyException extends CnaiException {
    private EnergyException(ErrorKind kind, String message) {
        super(kind, message);
    }

    public static EnergyException invalidConfig(String what) {
        return new EnergyException(ErrorKind.INVALID_INPUT, "energy configuration: " + what);
    }
}
