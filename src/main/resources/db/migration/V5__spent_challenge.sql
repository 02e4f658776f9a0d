-- Challenge tokens are single use (SPEC §3): the first successful verify or enrolment inserts the token's jti here.
-- The primary key makes a second spend fail, also when two requests race; rows go once the token has expired.
create table spent_challenge (
    jti        varchar(64) primary key,
    expires_at timestamptz not null
);
create index spent_challenge_by_expiry on spent_challenge (expires_at);
