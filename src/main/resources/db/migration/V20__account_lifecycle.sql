-- The rest of an account's life (issue 15). A disabled account cannot log in; its password step answers like a wrong
-- password. An admin's password reset sets a temporary password that must be changed at the next login.
alter table account add column status varchar(16) not null default 'active' check (status in ('active', 'disabled'));
alter table account add column password_change_required boolean not null default false;

-- Admin actions record how long before them the actor had authenticated (step-up, SPEC §7); null for other events.
alter table audit_event add column actor_auth_age_seconds bigint;
