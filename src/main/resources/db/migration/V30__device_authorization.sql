-- Device authorization (RFC 8628, docs/device-flow.md): a tool asks, a person approves in the browser, the tool polls
-- and redeems once. Neither code is stored: the device code (256 random bits) as its SHA-256, the short user code as
-- an HMAC under a key derived from the secret-encryption keys (a stolen table gives no code back, not even by trying
-- all 20^8). Rows are deleted a while after they expire (DeviceCleanup), so the table stays small.
create table device_authorization (
    id               uuid primary key,
    device_code_hash bytea        not null,
    user_code_hash   bytea        not null,
    client           varchar(16)  not null,
    device_name      varchar(64),
    requested_at     timestamptz  not null,
    requested_from   varchar(64),
    expires_at       timestamptz  not null,
    -- the least time between polls; each poll that comes sooner (slow_down) adds 5 s
    interval_seconds integer      not null check (interval_seconds > 0),
    last_polled_at   timestamptz,
    status           varchar(8)   not null default 'pending'
                     check (status in ('pending', 'approved', 'denied', 'redeemed')),
    -- who decided (approved or denied), when, from where
    account_id       uuid references account (id) on delete cascade,
    decided_at       timestamptz,
    decided_from     varchar(64),
    -- what the approving sign-in proved; the device's tokens state the same
    amr              varchar(64),
    factor           varchar(32),
    auth_time        timestamptz,
    redeemed_at      timestamptz,
    check (status = 'pending' or (account_id is not null and decided_at is not null)),
    check (status not in ('approved', 'redeemed') or (amr is not null and auth_time is not null))
);
create unique index device_authorization_device_code on device_authorization (device_code_hash);
create unique index device_authorization_user_code on device_authorization (user_code_hash);
create index device_authorization_expiry on device_authorization (expires_at);
