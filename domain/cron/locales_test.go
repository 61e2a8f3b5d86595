package cron

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var allProblems = []string{ProblemEmpty, ProblemFieldCount, ProblemInvalid, ProblemOutOfRange,
	ProblemStepOutOfRange, ProblemRangeReversed, ProblemQuestionMark, ProblemBothDays, ProblemNoDays,
	ProblemLastNotAllowed, ProblemWeekdayNotAllow, ProblemNthNotAllowed, ProblemLastInList,
	ProblemNthInList, ProblemNthOutOfRange, ProblemOffsetOutOfRange}

var allFields = []string{FieldExpression, FieldSecond, FieldMinute, FieldHour, FieldDayOfMonth,
	FieldMonth, FieldDayOfWeek, FieldYear}

// TestLocales checks that locales/cron.{en,zh-CN,zh-TW}.toml translate
// every problem and field key a SyntaxError can produce, and the keys of
// domain.ParseSchedule's errors.
func TestLocales(t *testing.T) {
	root := repoRoot(t)
	table := regexp.MustCompile(`(?m)^\[([a-z_]+)\]\s*\nother = ".+"$`)
	for _, lang := range []string{"en", "zh-CN", "zh-TW"} {
		data, err := os.ReadFile(filepath.Join(root, "locales", "cron."+lang+".toml"))
		if err != nil {
			t.Fatal(err)
		}
		keys := map[string]bool{}
		for _, m := range table.FindAllSubmatch(data, -1) {
			keys[string(m[1])] = true
		}
		for _, p := range allProblems {
			if id := (&SyntaxError{Problem: p}).MessageID(); !keys[id] {
				t.Errorf("cron.%s.toml: missing %s", lang, id)
			}
		}
		for _, id := range []string{"schedule_err_interval", "schedule_err_type"} {
			if !keys[id] {
				t.Errorf("cron.%s.toml: missing %s", lang, id)
			}
		}
		for _, f := range allFields {
			if id := (&SyntaxError{Field: f}).FieldMessageID(); !keys[id] {
				t.Errorf("cron.%s.toml: missing %s", lang, id)
			}
		}
	}
}
