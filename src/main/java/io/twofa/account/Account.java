package io.twofa.account;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A person or client user who logs in. */
@Entity
@Table(name = "account")
public class Account {

    @Id
    public UUID id;
    /** As entered at creation; unique without regard to case. */
    public String login;
    /** Argon2id, PHC string format. */
    public String passwordHash;
    public Role role;
    public Instant createdAt;
    /** A disabled account cannot log in. */
    public AccountState status = AccountState.ACTIVE;
    /** Set by an admin's password reset: the next login must choose a new password first. */
    public boolean passwordChangeRequired;

    public boolean isExemptFromTwoFactor() {
        return role == Role.CLIENT;
    }

    public boolean isActive() {
        return status == AccountState.ACTIVE;
    }
}
