"""Outside systems (marketplaces, the carrier, ...): one signed HTTP client and one failure
vocabulary. A foundation package: it imports no connector feature."""

from connector.remote.client import SignedClient, refuse_open_transaction
from connector.remote.errors import (
    AuthExpired,
    Refused,
    RemoteError,
    RetryableError,
    TransactionOpenDuringRemoteCall,
    UnknownOutcome,
)

__all__ = ["SignedClient", "refuse_open_transaction", "RemoteError", "RetryableError", "AuthExpired", "Refused",
           "UnknownOutcome", "TransactionOpenDuringRemoteCall"]
