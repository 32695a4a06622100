package evidence

import "github.com/chancery/chancery/shared/errs"

var (
	ErrInvalid          = errs.New(errs.KindInvalid, "evidence.invalid", "invalid evidence message")
	ErrInvalidHash      = errs.New(errs.KindInvalid, "evidence.invalid_hash", "sha256 must be 64 hex characters")
	ErrNotFound         = errs.New(errs.KindNotFound, "evidence.not_found", "no such evidence")
	ErrBatchNotFound    = errs.New(errs.KindNotFound, "evidence.batch_not_found", "no such batch")
	ErrDuplicate        = errs.New(errs.KindConflict, "evidence.duplicate", "this organisation already deposited this hash")
	ErrDuplicateBatch   = errs.New(errs.KindConflict, "evidence.duplicate_batch", "the organisation already anchored this batch root")
	ErrWithdrawn        = errs.New(errs.KindConflict, "evidence.withdrawn", "the evidence is withdrawn")
	ErrAlreadyAttested  = errs.New(errs.KindConflict, "evidence.already_attested", "this organisation already attested the evidence")
	ErrAlreadyShared    = errs.New(errs.KindConflict, "evidence.already_shared", "the evidence is already shared with this organisation")
	ErrOwnEvidence      = errs.New(errs.KindInvalid, "evidence.own_evidence", "an organisation cannot attest its own deposit")
	ErrNotDepositorsOrg = errs.New(errs.KindForbidden, "evidence.not_depositor", "only the depositing organisation may do this")
	ErrNoAccess         = errs.New(errs.KindForbidden, "evidence.no_access", "the account may not access this evidence")
	ErrNotStored        = errs.New(errs.KindNotFound, "evidence.file_not_stored", "only the hash of this evidence was deposited; the file is not in the blob store")
)
