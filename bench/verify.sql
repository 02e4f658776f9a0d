-- The SQL of one successful POST /api/v1/auth/verify (TOTP), statement for statement and parameter for parameter
-- as the service sends it (captured from PostgreSQL with log_statement=all). pgbench -M prepared runs it with
-- named prepared statements and bound parameters, as the reactive PostgreSQL client does. Each client walks its
-- own accounts (n = base + client_id + k * clients, k = 1, 2, ...), so every replay-guard UPDATE updates its row.
-- The ids are built from n inside the statements (pgbench variables are numbers); timestamps are now().
-- Command line: -D k=0 -D base=... -D clients=... -D step=<current TOTP step> and the constants below.
\set k :k + 1
\set n :base + :client_id + :k * :clients
BEGIN;
select a1_0.id,a1_0.created_at,a1_0.login,a1_0.password_hash,a1_0.role from account a1_0 where a1_0.id=('b0000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid;
insert into attempt_counter as c (scope, subject, failures, blocked_until, locked, updated_at)
values (:scope, 'b0000000-0000-4000-8000-' || lpad(:n::text, 12, '0'), 1,
        case when 1 >= :free then cast(now() as timestamptz) + make_interval(secs => cast(:delay as double precision)) end,
        :lock = 1, cast(now() as timestamptz))
on conflict (scope, subject) do update set
    failures = c.failures + 1,
    blocked_until = case when c.failures + 1 >= :free
        then cast(now() as timestamptz) + make_interval(secs => least(cast(:maxdelay as double precision), cast(:delay as double precision) * power(2, least(c.failures + 1 - :free, 30))))
        end,
    locked = (:lock > 0 and c.failures + 1 >= :lock),
    updated_at = cast(now() as timestamptz)
where not c.locked and (c.blocked_until is null or c.blocked_until <= cast(now() as timestamptz))
returning failures;
select a1_0.id,a1_0.account_id,a1_0.activated_at,a1_0.created_at,a1_0.expires_at,a1_0.last_used_step,a1_0.secret_ciphertext,a1_0.secret_key_id,a1_0.status from authenticator a1_0 where a1_0.account_id=('b0000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid and a1_0.status=:status offset :zero rows fetch first :one rows only;
update authenticator a1_0 set last_used_step=:step where a1_0.id=('a0000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid and a1_0.status=:status and a1_0.last_used_step<:step;
delete from attempt_counter where scope = :scope and subject = 'b0000000-0000-4000-8000-' || lpad(:n::text, 12, '0');
insert into audit_event (actor,client,detail,occurred_at,source_ip,subject_login,type) values ('bench' || :n,:client,:detail,now(),:ip,'bench' || :n,:type) returning id;
select sp1_0.id,sp1_0.access_token_lifetime_seconds,sp1_0.backup_code_count,sp1_0.enforce_from,sp1_0.issuer,sp1_0.two_factor_required,sp1_0.updated_at,sp1_0.updated_by from site_policy sp1_0 where sp1_0.id=:one;
COMMIT;
