package dev.parley.message;

import jakarta.persistence.Converter;

@Converter(autoApply = true)
public class MessageStatusConverter extends LowercaseEnumConverter<MessageStatus> {

    public MessageStatusConverter() {
        super(MessageStatus.class);
    }
}
