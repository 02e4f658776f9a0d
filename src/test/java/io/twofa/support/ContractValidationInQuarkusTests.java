package io.twofa.support;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;

/**
 * Installs {@link ContractValidation} inside each {@code @QuarkusTest}: those tests run in the application's class
 * loader, whose RestAssured is not the one a plain JUnit extension sees (registered in META-INF/services).
 */
public class ContractValidationInQuarkusTests implements QuarkusTestBeforeEachCallback {

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        ContractValidation.install();
    }
}
