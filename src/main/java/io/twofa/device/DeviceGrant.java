package io.twofa.device;

/** A started device authorization, for the tool (RFC 8628 §3.2); the codes exist only in this answer. */
public record DeviceGrant(String deviceCode, String userCode, long expiresIn, int interval) {
}
