package ports

// Messages renders text the application persists or sends (trigger_msg,
// alarm mails) in the admin's configured language.
type Messages interface {
	// T returns the message with the given id, filled with data (may be nil).
	// An unknown id is returned as is.
	T(id string, data map[string]any) string
}
