-- The SQL of one successful POST /api/v1/auth/verify (TOTP), statement for statement and parameter for parameter
-- as the service sends it (captured from PostgreSQL with log_statement=all): the throttle's count and the reads in
-- one statement (autocommit), the replay guard and the audit row in one transaction, then the counter's reset.
-- pgbench -M prepared runs it with named prepared statements and bound parameters, as the reactive PostgreSQL client
-- does. Each client walks its own accounts (n = base + client_id + k * clients, k = 1, 2, ...), so every replay-guard
-- UPDATE updates its row. The ids are built from n inside the statements (pgbench variables are numbers); timestamps
-- are now(). Command line: -D k=0 -D base=... -D clients=... -D step=<current TOTP step> and the constants below.
\set k :k + 1
\set n :base + :client_id + :k * :clients
with attempt as (insert into attempt_counter as c (scope, subject, failures, blocked_until, locked, updated_at)
values (:scope, 'b0000000-0000-4000-8000-' || lpad(:n::text, 12, '0'), 1, case when 1 >= :free then now() + make_interval(secs => :delay::float8) end, :lock = 1, now())
on conflict (scope, subject) do update set
    failures = c.failures + 1,
    blocked_until = case when c.failures + 1 >= :free
        then now() + make_interval(secs => least(:maxdelay::float8, :delay::float8 * power(2, least(c.failures + 1 - :free, 30))))
        end,
    locked = (:lock > 0 and c.failures + 1 >= :lock),
    updated_at = now()
where not c.locked and (c.blocked_until is null or c.blocked_until <= now()) returning 1)
select a.login, a.role, (select count(*) from attempt) as counted,
       au.id as authenticator_id, au.secret_key_id, au.secret_ciphertext, p.access_token_lifetime_seconds
from account a
cross join site_policy p
left join authenticator au on au.account_id = a.id and au.status = 'active'
where a.id = ('b0000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid and p.id = 1;
BEGIN;
update authenticator a1_0 set last_used_step=:step where a1_0.id=('a0000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid and a1_0.status=:status and a1_0.last_used_step<:step;
insert into audit_event (actor,client,detail,occurred_at,request_id,source_ip,subject_login,type) values ('bench' || :n,:client,:detail,now(),:reqid,:ip,'bench' || :n,:type) returning id;
COMMIT;
delete from attempt_counter where scope = :scope and subject = 'b0000000-0000-4000-8000-' || lpad(:n::text, 12, '0');
