package dev.greta.bench;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** The state of one run; the last three are final. */
public enum RunStatus {
    PENDING, RUNNING, DONE, FAILED, TIMEOUT;

    public boolean isFinal() { return this == DONE || this == FAILED || this == TIMEOUT; }

    @JsonValue
    public String json() { return name().toLowerCase(Locale.ROOT); }
}
