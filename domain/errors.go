package domain

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer. Adapters translate their own failures
// into these at their edge (sql.ErrNoRows becomes ENOTFOUND, a refused
// connection to an executor EUNAVAILABLE, and so on).
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EUNAVAILABLE  = "unavailable"
)

// Error is an application error that is safe to show to a user. Key, when
// set, is the i18n message ID the web layer localises instead of Message.
type Error struct {
	Code    string
	Message string
	Key     string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("xjob error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// KeyError returns an *Error whose text comes from the i18n message key;
// message is the English fallback used where no catalog is at hand.
func KeyError(code, key, message string) *Error {
	return &Error{Code: code, Key: key, Message: message}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain and a
// generic text for any other error, so internal details never reach users.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorKey returns the i18n key of the first *Error in err's chain, or "".
func ErrorKey(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}
