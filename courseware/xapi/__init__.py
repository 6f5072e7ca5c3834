"""The Learning Record Store at ``/xapi``: statements, documents and the clients that use them."""

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
