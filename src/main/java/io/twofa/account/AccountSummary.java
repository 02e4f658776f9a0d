package io.twofa.account;

import java.time.Instant;
import java.util.UUID;

/** One account in a listing: who it is, whether it may log in, and whether it has set up a second factor. */
public record AccountSummary(UUID id, String login, String role, String status, Instant createdAt, boolean enrolled,
        boolean passwordChangeRequired) {
}
