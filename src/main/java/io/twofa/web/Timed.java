package io.twofa.web;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;

/**
 * Times a resource method returning {@code Uni} into the Micrometer timer {@link #value()}, tagged with the outcome
 * ({@link TimedInterceptor#OUTCOMES}). Every series exists from the start (see {@link TimedInterceptor}).
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.METHOD, ElementType.TYPE })
public @interface Timed {

    /** Timer name, e.g. {@code twofa.login} (Prometheus: {@code twofa_login_seconds}). */
    @Nonbinding
    String value();

    @Nonbinding
    String description();
}
