-- Password throttle by client address (issue 14, docs/throttling.md). The per-login counter (scope 'password'), which
-- let anyone keep a user out, is replaced by three scopes:
--   'pw_pair'    subject '<address> <lower(login)>': consecutive failures of one login from one address;
--   'pw_address' subject '<address>': consecutive failures from one address over all logins;
--   'pw_login'   subject lower(login): the per-login ceiling, the times of its recent failures in `recent`.
-- (<address>: an IPv4 address, or the IPv6 network of the configured prefix; it never contains a space.)
-- Rows of these scopes expire (`expires_at`) and are deleted periodically, so unknown logins leave no lasting state;
-- second-factor rows keep `expires_at` null and stay until a success or an admin reset.
delete from attempt_counter where scope = 'password';
alter table attempt_counter add column expires_at timestamptz;
alter table attempt_counter add column recent timestamptz[];
create index attempt_counter_expiry on attempt_counter (expires_at) where expires_at is not null;
-- an admin clearing a login's waits finds its per-address counters by the login part of the subject
create index attempt_counter_pair_login on attempt_counter ((substr(subject, strpos(subject, ' ') + 1)))
    where scope = 'pw_pair';

-- Addresses an account logged in from with the right password (subject: lower(login)). Attempts from a known address
-- are outside the address budget and the per-login ceiling, so the owner at a usual place is never slowed by them.
create table known_address (
    subject         varchar(512) not null,
    address         varchar(64)  not null,
    last_success_at timestamptz  not null,
    primary key (subject, address)
);
create index known_address_age on known_address (last_success_at);
