package io.twofa.account;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Stores roles in lower case, as the API shows them. */
@Converter(autoApply = true)
public class RoleConverter implements AttributeConverter<Role, String> {

    @Override
    public String convertToDatabaseColumn(Role role) {
        return role == null ? null : role.wireName();
    }

    @Override
    public Role convertToEntityAttribute(String value) {
        return value == null ? null : Role.fromWire(value);
    }
}
