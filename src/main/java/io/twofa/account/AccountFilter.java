package io.twofa.account;

/**
 * What an account listing shows: null members do not filter. {@code after}: the last login of the previous page
 * (keyset paging in case-insensitive login order); {@code limit}: the page size.
 */
public record AccountFilter(Role role, AccountState status, Boolean enrolled, String loginPrefix, String after, int limit) {
}
