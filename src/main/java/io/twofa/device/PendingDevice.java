package io.twofa.device;

import java.time.Instant;
import java.util.UUID;

/**
 * A device authorization waiting for a decision, as the approval page shows it: which kind of program asks, under which
 * name, since when and from which address (so a person sent someone else's code can see it is not theirs).
 */
public record PendingDevice(UUID id, String userCode, String client, String deviceName, Instant requestedAt,
        String requestedFrom, Instant expiresAt) {
}
