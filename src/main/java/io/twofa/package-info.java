/**
 * twofa-service: two-factor login for a production-tracking site.
 *
 * <h2>Layout: packages by feature, each with an {@code http} layer</h2>
 * A feature package ({@code account}, {@code audit}, {@code backupcode}, {@code factor}, {@code login}, {@code policy},
 * {@code session}, {@code throttle}, {@code token}, {@code totp}, ...) holds its entities, its repositories (the only
 * classes with SQL or HQL on its tables) and its services (which own transactions). Its {@code http} sub-package maps
 * HTTP to those services and back: JAX-RS resources and the wire records (request bodies, answers) live there and
 * nowhere else. A few shared packages carry no feature: {@code config}, {@code crypto}, {@code database} (the
 * embedded server, the pool, {@link io.twofa.database.Sql SQL pieces} that owners compose into one statement),
 * {@code error} (the problem types and the one problem writer) and {@code web} (request ids, the request deadline,
 * client address, problem mappers, roles).
 *
 * <h2>Dependencies point one way</h2>
 * From the bottom: shared packages; then {@code audit}, {@code throttle}, {@code token}; {@code policy};
 * {@code factor} (the second-factor SPI); {@code account}; the factors ({@code totp}, {@code backupcode}) and
 * {@code session}; {@code login}, which ends logins and enrolments; features built on logins above it. Where a lower
 * feature must cause something in a higher one (sessions end when a password changes, two-factor is switched on or a
 * factor is enrolled), the lower one defines a small listener or SPI interface and the higher one implements it
 * ({@link io.twofa.account.AccountListener}, {@link io.twofa.policy.PolicyListener},
 * {@link io.twofa.factor.EnrollmentCompletion}).
 *
 * <h2>Rules, checked by {@code ArchitectureTest}</h2>
 * <ul>
 * <li>no cycle between packages, nor between features;</li>
 * <li>resources ({@code @Path}) live in {@code http} packages, open no transaction and hold no SQL;</li>
 * <li>a repository is used only by its own feature;</li>
 * <li>SQL (the reactive client, native queries, HQL) only in repository classes;</li>
 * <li>wire records (request bodies and answers, Jackson annotations) only in {@code http} packages.</li>
 * </ul>
 */
package io.twofa;
