package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestScreenshotsDocumented checks that docs/ui.md links every screenshot
// of docs/screenshots, and that every screenshot it links exists (except in
// a run that is making them).
func TestScreenshotsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "ui.md"))
	if err != nil {
		t.Fatal(err)
	}
	linked := map[string]bool{}
	for _, m := range regexp.MustCompile(`\(screenshots/([^)]+\.png)\)`).FindAllStringSubmatch(string(doc), -1) {
		linked[m[1]] = true
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "docs", "screenshots", "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	onDisk := map[string]bool{}
	for _, f := range files {
		onDisk[filepath.Base(f)] = true
		if !linked[filepath.Base(f)] {
			t.Errorf("docs/ui.md does not show screenshots/%s", filepath.Base(f))
		}
	}
	// A run with XJOB_SCREENSHOTS=1 writes the screenshots after this test
	// ran (the browser tests come later), so new ones cannot exist yet.
	producing := os.Getenv("XJOB_SCREENSHOTS") == "1"
	for name := range linked {
		if !onDisk[name] && !producing {
			t.Errorf("docs/ui.md links screenshots/%s, which does not exist", name)
		}
	}
	if len(onDisk) == 0 || !strings.Contains(string(doc), "XJOB_SCREENSHOTS=1") {
		t.Error("no screenshots, or docs/ui.md does not say how they are made")
	}
}
