package ports

import "time"

// Clock tells the time. The scheduler reads time only through it, so tests
// can move it.
type Clock interface {
	Now() time.Time
}
