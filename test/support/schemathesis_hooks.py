"""Schemathesis hooks for test/go/conformance.test.ts (loaded through SCHEMATHESIS_HOOKS).

They change what schemathesis can send, never what a check accepts.

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


# A multipart part's name travels in a Content-Disposition header as a quoted
# string, which cannot hold control characters (RFC 7578 section 4.2 and
# RFC 9110 section 5.6.4: qdtext is HTAB, SP and visible characters). A body
# schema that allows additional properties allows any name, so schemathesis
# generates names such as "\x1c.\x00" that have no valid multipart encoding;
# it writes them anyway and counts the 400 for the malformed request as
# "valid data rejected". Such cases are dropped; every other name is kept.
def _encodable_part_name(name):
    return all(c == "\t" or ord(c) >= 0x20 and ord(c) != 0x7F for c in str(name))


@schemathesis.hook
def filter_case(context, case):
    media_type = (getattr(case, "media_type", None) or "").lower()
    if media_type.startswith("multipart/form-data") and isinstance(case.body, dict):
        return all(_encodable_part_name(name) for name in case.body)
    return True
