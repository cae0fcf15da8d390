"""The rules of public consultation, free of HTTP, AMQP and storage."""
