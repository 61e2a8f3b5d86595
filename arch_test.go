package xjob

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/xjob-dev/xjob"

// TestDependencyRule enforces the layering domain ← ports ← application ←
// adapters: inner layers never import outer ones, and only the composition
// root and cmd/ import adapters (adapters may use each other, templates may
// use the i18n adapter).
func TestDependencyRule(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 4 {
		t.Fatalf("go list returned only %d packages", len(lines))
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		pkg, imports := rel(fields[0]), fields[1:]
		for _, imp := range imports {
			if msg := violation(pkg, imp); msg != "" {
				t.Errorf("%s imports %s: %s", fields[0], imp, msg)
			}
		}
	}
}

// rel strips the module path: "domain/cron", "adapters/web", "" for the root.
func rel(path string) string {
	return strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
}

func within(pkg, layer string) bool { return pkg == layer || strings.HasPrefix(pkg, layer+"/") }

// stdlib reports whether an import path belongs to the standard library.
func stdlib(imp string) bool { return !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") }

func violation(pkg, imp string) string {
	own := strings.HasPrefix(imp, module)
	target := rel(imp)
	switch {
	case within(pkg, "domain"):
		if !stdlib(imp) && !(own && within(target, "domain")) {
			return "domain may import only the standard library"
		}
	case within(pkg, "ports"):
		if !stdlib(imp) && !(own && (within(target, "domain") || within(target, "ports"))) {
			return "ports may import only domain"
		}
	case within(pkg, "application"):
		if !stdlib(imp) && !(own && (within(target, "domain") || within(target, "ports") || within(target, "application"))) {
			return "application may import only domain and ports"
		}
	case within(pkg, "executor"):
		if own && !within(target, "domain") && !within(target, "executor") {
			return "the executor SDK may import only domain"
		}
	}
	if own && within(target, "adapters") {
		allowed := pkg == "" || within(pkg, "cmd") || within(pkg, "adapters") ||
			(within(pkg, "web/templates") && within(target, "adapters/i18n"))
		if !allowed {
			return "only the composition root imports adapters"
		}
	}
	return ""
}

func TestViolation(t *testing.T) {
	tests := []struct {
		pkg, imp string
		bad      bool
	}{
		{"domain", "time", false},
		{"domain", "github.com/uptrace/bun", true},
		{"domain", module + "/ports", true},
		{"domain/cron", "strings", false},
		{"ports", module + "/domain", false},
		{"ports", module + "/application", true},
		{"application", module + "/adapters/sqlstore", true},
		{"application", module + "/ports", false},
		{"application", "github.com/go-chi/chi/v5", true},
		{"adapters/web", module + "/application", false},
		{"adapters/web", module + "/adapters/i18n", false},
		{"web/templates", module + "/adapters/i18n", false},
		{"web/templates", module + "/adapters/sqlstore", true},
		{"executor", module + "/adapters/web", true},
		{"", module + "/adapters/sqlstore", false},
		{"cmd/xjob", module + "/adapters/sqlstore", false},
	}
	for _, tt := range tests {
		if got := violation(tt.pkg, tt.imp) != ""; got != tt.bad {
			t.Errorf("violation(%q, %q) = %v, want %v", tt.pkg, tt.imp, got, tt.bad)
		}
	}
}
