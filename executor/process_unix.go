//go:build unix

package executor

import (
	"os/exec"
	"syscall"
)

// useProcessGroup starts cmd in its own process group and makes
// cancellation kill the whole group, so that children of a script die too.
func useProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
}
