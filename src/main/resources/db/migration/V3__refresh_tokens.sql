-- Refresh tokens for desktop programs (SPEC §8). A family is one login session; every refresh rotates its token.
-- Rotated tokens are kept (hash only) until the family goes, so presenting one again is recognised as reuse.
create table refresh_family (
    id              uuid primary key,
    account_id      uuid         not null references account (id) on delete cascade,
    -- what the original login proved; copied into every access token the family issues
    client          varchar(16)  not null,
    amr             varchar(64)  not null,
    factor          varchar(16),
    auth_time       timestamptz  not null,
    created_at      timestamptz  not null,
    last_used_at    timestamptz  not null,
    -- no refresh after this, however active the session (absolute maximum from the original login)
    absolute_expiry timestamptz  not null,
    revoked_at      timestamptz,
    revoked_reason  varchar(32)
);
create index refresh_family_by_account on refresh_family (account_id, created_at desc);

-- One row per issued refresh token: SHA-256 of the 256-bit random token, never the token itself.
create table refresh_token (
    id         uuid primary key,
    family_id  uuid        not null references refresh_family (id) on delete cascade,
    token_hash bytea       not null,
    created_at timestamptz not null,
    -- idle expiry: sliding, renewed by each rotation, never beyond the family's absolute expiry
    expires_at timestamptz not null,
    -- set once, by the conditional UPDATE that wins the rotation; a rotated token presented again is reuse
    rotated_at timestamptz
);
create unique index refresh_token_hash_key on refresh_token (token_hash);
create index refresh_token_by_family on refresh_token (family_id);
