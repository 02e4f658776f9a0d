-- Accounts: login is unique without regard to case.
create table account (
    id            uuid primary key,
    login         varchar(128) not null,
    password_hash varchar(255) not null,
    role          varchar(16)  not null check (role in ('admin', 'user', 'client')),
    created_at    timestamptz  not null
);
create unique index account_login_key on account (lower(login));

-- The site policy: exactly one row.
create table site_policy (
    id                            smallint primary key check (id = 1),
    two_factor_required           boolean      not null,
    issuer                        varchar(128) not null,
    access_token_lifetime_seconds integer      not null check (access_token_lifetime_seconds between 60 and 3600),
    backup_code_count             integer      not null check (backup_code_count between 5 and 20),
    enforce_from                  timestamptz,
    updated_at                    timestamptz  not null,
    updated_by                    varchar(128)
);
insert into site_policy values (1, false, 'Flow Production Tracking', 600, 10, null, now(), null);

-- TOTP authenticators: at most one active and one pending per account.
create table authenticator (
    id                uuid primary key,
    account_id        uuid        not null references account (id) on delete cascade,
    status            varchar(8)  not null check (status in ('pending', 'active')),
    secret_key_id     varchar(64) not null,
    secret_ciphertext bytea       not null,
    created_at        timestamptz not null,
    expires_at        timestamptz,
    activated_at      timestamptz,
    -- highest accepted time step; a code for this step or an older one is a replay
    last_used_step    bigint      not null default -1
);
create unique index authenticator_one_active on authenticator (account_id) where status = 'active';
create unique index authenticator_one_pending on authenticator (account_id) where status = 'pending';

-- Backup codes: keyed hashes only; a new set replaces the old one.
create table backup_code (
    id           uuid primary key,
    account_id   uuid        not null references account (id) on delete cascade,
    hash_key_id  varchar(64) not null,
    code_hash    bytea       not null,
    generated_at timestamptz not null,
    used_at      timestamptz
);
create unique index backup_code_lookup on backup_code (account_id, code_hash);

-- Consecutive-failure counters, shared by every instance. scope: 'password' (subject: lower(login), also for
-- unknown logins, so throttling does not reveal which logins exist) or 'second_factor' (subject: account id).
create table attempt_counter (
    scope         varchar(16)  not null,
    subject       varchar(512) not null,
    failures      integer      not null default 0,
    blocked_until timestamptz,
    locked        boolean      not null default false,
    updated_at    timestamptz  not null,
    primary key (scope, subject)
);

-- Audit trail: no secrets, codes or tokens.
create table audit_event (
    id            bigserial primary key,
    occurred_at   timestamptz  not null,
    type          varchar(48)  not null,
    actor         varchar(128),
    subject_login varchar(128),
    client        varchar(16),
    source_ip     varchar(64),
    detail        varchar(512)
);
create index audit_event_by_login on audit_event (lower(subject_login), id desc);
create index audit_event_by_type on audit_event (type, id desc);
