//go:build !unix

package executor

import "os/exec"

// useProcessGroup is a no-op where process groups do not exist;
// cancellation kills the process itself.
func useProcessGroup(cmd *exec.Cmd) {}
