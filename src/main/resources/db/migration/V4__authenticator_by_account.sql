-- Every lookup of an account's authenticator binds the status as a parameter ("account_id = $1 and status = $2"),
-- which the partial unique indexes of V1 (where status = 'active' / 'pending') cannot serve in a generic plan:
-- PostgreSQL's generic plan for it is a sequential scan of the whole table (a parallel seq scan at 1M accounts), so
-- the planner re-plans the statement on every execution to stay on the index, and a server run with
-- plan_cache_mode = force_generic_plan would scan the table on every verify. A plain index on account_id serves
-- the generic plan (and the ON DELETE CASCADE from account, which otherwise scans the table).
create index authenticator_by_account on authenticator (account_id);
