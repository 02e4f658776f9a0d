package io.twofa.account;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Stores account states in lower case, as the API shows them. */
@Converter(autoApply = true)
public class AccountStateConverter implements AttributeConverter<AccountState, String> {

    @Override
    public String convertToDatabaseColumn(AccountState state) {
        return state == null ? null : state.wireName();
    }

    @Override
    public AccountState convertToEntityAttribute(String value) {
        return value == null ? null : AccountState.fromWire(value);
    }
}
