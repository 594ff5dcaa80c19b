"""Customer lists: records normalised and hashed per list type, uploads in requests of 1,900
records, ``sync`` against a local ledger, and what they return (``client.customer_lists``).

The record functions are pure (no client): ``prepare_record`` says what one record is sent
as, ``prepare_records`` checks a whole input, ``read_records`` reads a file (one record per
line, or a CSV column).
"""

from ._ledger import Ledger, LedgerState
from ._records import (
    PARTNER_TYPES,
    BadRecord,
    ListType,
    OnBad,
    PreparedRecords,
    list_types,
    prepare_file,
    prepare_record,
    prepare_records,
    read_records,
)
from ._results import (
    BadRecordsError,
    CustomerListNotReady,
    CustomerListUploadError,
    ProgressCallback,
    SyncResult,
    UploadProgress,
    UploadResult,
)

__all__ = [
    "PARTNER_TYPES",
    "BadRecord",
    "BadRecordsError",
    "CustomerListNotReady",
    "CustomerListUploadError",
    "Ledger",
    "LedgerState",
    "ListType",
    "OnBad",
    "PreparedRecords",
    "ProgressCallback",
    "SyncResult",
    "UploadProgress",
    "UploadResult",
    "list_types",
    "prepare_file",
    "prepare_record",
    "prepare_records",
    "read_records",
]
