package dev.parley.ratelimit;

import dev.parley.security.CurrentUser;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/** Runs after authentication, before the endpoint and outside any transaction. */
@RateLimited(RateLimiter.Kind.WRITES)
@Interceptor
@Priority(Interceptor.Priority.APPLICATION)
public class RateLimitInterceptor {

    @Inject
    RateLimiter limiter;

    @Inject
    CurrentUser user;

    @AroundInvoke
    Object limit(InvocationContext context) throws Exception {
        RateLimited limited = context.getMethod().getAnnotation(RateLimited.class);
        if (limited == null) {
            limited = context.getMethod().getDeclaringClass().getAnnotation(RateLimited.class);
        }
        if (limited != null) {
            limiter.consume(limited.value(), user.id());
            limiter.consumeForKey(user.apiKey());
        }
        return context.proceed();
    }
}
