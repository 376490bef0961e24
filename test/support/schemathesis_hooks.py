"""Schemathesis hooks for test/go/conformance.test.ts (loaded through SCHEMATHESIS_HOOKS).

schemathesis 4.x has no serializer for binary media types other than
application/octet-stream, so an operation whose body is, say, application/pdf
(fixtures/orders' PUT /orders/{orderId}/invoice) is reported as an error and
never sent. This sends such bodies as the raw bytes generated for them.
"""

import schemathesis


@schemathesis.serializer("application/pdf")
def raw_bytes(ctx, value):
    if isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    elif isinstance(value, str):
        data = value.encode("utf-8")
    else:
        data = repr(value).encode("utf-8")
    return {"data": data}
