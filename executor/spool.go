package executor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// spoolDirName is the spool directory under LogDir.
const spoolDirName = "callbacklog"

// spool keeps undelivered callback batches on disk, one file per batch
// holding exactly the JSON body of its /api/callback request. Files are
// named by creation time so they are delivered in order.
type spool struct {
	dir string
	seq atomic.Uint64
	log *slog.Logger
}

func newSpool(logDir string, log *slog.Logger) (*spool, error) {
	dir := filepath.Join(logDir, spoolDirName)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("executor: create callback spool: %w", err)
	}
	return &spool{dir: dir, log: log}, nil
}

// write stores one batch atomically (temp file, fsync, rename).
func (s *spool) write(batch []domain.CallbackParam) error {
	body, err := json.Marshal(batch)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("callback-%020d-%06d.json", time.Now().UnixNano(), s.seq.Add(1)%1e6)
	tmp, err := os.CreateTemp(s.dir, "tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(s.dir, name))
}

// list returns the spooled batch files, oldest first.
func (s *spool) list() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "callback-") && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// read returns a batch file's body after checking it is a JSON array of
// results, so a damaged file is never sent.
func (s *spool) read(name string) ([]byte, error) {
	body, err := os.ReadFile(filepath.Join(s.dir, name))
	if err != nil {
		return nil, err
	}
	var batch []domain.CallbackParam
	if err := json.Unmarshal(body, &batch); err != nil {
		return nil, err
	}
	return body, nil
}

// remove deletes a delivered batch.
func (s *spool) remove(name string) {
	if err := os.Remove(filepath.Join(s.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Error("cannot delete delivered callback batch; it may be sent again", "file", name, "err", err)
	}
}

// quarantine renames a damaged batch file to *.bad so that it is kept for
// inspection but no longer retried.
func (s *spool) quarantine(name string) {
	path := filepath.Join(s.dir, name)
	if err := os.Rename(path, path+".bad"); err != nil {
		s.log.Error("cannot set aside damaged callback batch", "file", name, "err", err)
	}
}
