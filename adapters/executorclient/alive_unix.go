//go:build unix

package executorclient

import (
	"net"
	"syscall"
)

// alive reports whether an idle connection is still open: a non-blocking
// peek sees the executor's close (EOF) or an unexpected byte without
// waiting. A closed pooled connection would otherwise fail the next /run.
func alive(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	open := true
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		n, _, rerr := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK:
			open = true // nothing to read: idle and open
		case rerr != nil, n == 0, n > 0:
			open = false // error, EOF, or bytes nobody asked for
		}
		return true
	})
	return err == nil && open
}
