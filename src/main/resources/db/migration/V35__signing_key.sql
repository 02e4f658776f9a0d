-- Signing keys as every instance has seen them (token/KeyRotation): the public part, so that all instances publish
-- and verify the same keys, and the times the rotation rules (token/KeySchedule) are computed from. Rows are never
-- deleted: the earliest published_at tells the keys of the first start (which sign at once) from later ones.
create table signing_key (
    kid          text primary key,
    -- X.509 SubjectPublicKeyInfo (DER) of the EC P-256 key; a file under the same kid with another key is refused
    public_key   bytea       not null,
    -- when an instance first saw the key's file: from then on it is in the JWKS; it signs from published_at + delay
    published_at timestamptz not null,
    -- the last time an instance still had the file; a key nobody has seen for a few refresh intervals was removed
    last_seen_at timestamptz not null,
    -- an instance that signs with the key keeps this a few refresh intervals ahead: the key stays published until
    -- the tokens it may have signed until then have expired
    signed_until timestamptz
);
