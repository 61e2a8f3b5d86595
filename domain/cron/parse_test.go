package cron

import (
	"errors"
	"testing"
	"time"
)

// TestParseAccepts covers syntax Quartz accepts, including its quirks.
func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name, expr string
		from       string // RFC 3339, UTC
		want       string // first fire time, RFC 3339 UTC; "" = never
	}{
		{"Basic", "0 15 10 ? * *", "2026-01-01T00:00:00Z", "2026-01-01T10:15:00Z"},
		{"LowerCaseNames", "0 0 0 1 jan ?", "2026-03-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"FullNames", "0 0 0 ? JANUARY MONDAY", "2026-03-01T00:00:00Z", "2027-01-04T00:00:00Z"},
		{"TabsAndSpaces", "0\t0  0 1 1 ?", "2026-03-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"WrapSeconds", "50-10 0 0 1 1 ?", "2026-12-31T23:59:00Z", "2027-01-01T00:00:00Z"},
		{"WrapWeekdays", "0 0 0 ? * FRI-MON", "2026-01-06T00:00:00Z", "2026-01-09T00:00:00Z"},
		{"WrapMonths", "0 0 0 1 NOV-FEB ?", "2026-03-01T00:00:00Z", "2026-11-01T00:00:00Z"},
		{"StepInRange", "1-10/3 0 0 1 1 ?", "2026-06-01T00:00:00Z", "2027-01-01T00:00:01Z"},
		{"BareStep", "/20 0 0 1 1 ?", "2027-01-01T00:00:00Z", "2027-01-01T00:00:20Z"},
		{"StepZeroOnStar", "*/0 0 0 1 1 ?", "2027-01-01T00:00:00Z", "2027-01-01T00:00:01Z"},
		{"StepZeroOnValue", "5/0 0 0 1 1 ?", "2027-01-01T00:00:05Z", "2028-01-01T00:00:05Z"},
		{"RangeStepBeyondField", "5-10/90 0 0 1 1 ?", "2027-01-01T00:00:05Z", "2028-01-01T00:00:05Z"},
		{"NameStepIgnored", "0 0 0 1 JAN/3 ?", "2026-03-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"RangeEndZero", "0 0 0 ? * 6-0", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"},
		{"EmptyListItems", "0 0 0 1,,15, * ?", "2026-01-02T00:00:00Z", "2026-01-15T00:00:00Z"},
		{"LInListOfDays", "0 0 0 1,L * ?", "2026-02-02T00:00:00Z", "2026-02-28T00:00:00Z"},
		{"LOffsetZero", "0 0 0 L-0 * ?", "2026-02-02T00:00:00Z", "2026-02-28T00:00:00Z"},
		{"LOffsetThirty", "0 0 0 L-30 * ?", "2026-02-02T00:00:00Z", "2026-03-01T00:00:00Z"},
		{"LAloneIsSaturday", "0 0 0 ? * L", "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z"},
		{"NthNamed", "0 0 0 ? * MON#2", "2026-01-01T00:00:00Z", "2026-01-12T00:00:00Z"},
		{"LastNamed", "0 0 0 ? * FRIL", "2026-01-01T00:00:00Z", "2026-01-30T00:00:00Z"},
		{"YearStar", "0 0 0 1 1 ? *", "2026-03-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"YearBeyond2199NeverFires", "0 0 0 1 1 ? 2200", "2026-03-01T00:00:00Z", ""},
		{"YearBefore1970NeverFires", "0 0 0 1 1 ? 1969", "1960-03-01T00:00:00Z", ""},
		{"YearStepFromPast", "0 0 0 1 1 ? 1900/50", "2026-03-01T00:00:00Z", "2050-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.expr)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.expr, err)
			}
			if e.String() != tt.expr {
				t.Errorf("String() = %q", e.String())
			}
			from, _ := time.Parse(time.RFC3339, tt.from)
			next, ok := e.Next(from, time.UTC)
			got := ""
			if ok {
				got = next.UTC().Format(time.RFC3339)
			}
			if got != tt.want {
				t.Errorf("Next(%s) = %q, want %q", tt.from, got, tt.want)
			}
		})
	}
}

// TestParseRejects checks the error's field, problem and message.
func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, expr, field, problem, msg string
	}{
		{"Empty", "  ", FieldExpression, ProblemEmpty, "expression: the cron expression is empty"},
		{"TooFew", "* * *", FieldExpression, ProblemFieldCount, "expression: 3 fields given; a cron expression has 6 to 7 fields (second minute hour day-of-month month day-of-week [year])"},
		{"TooMany", "0 0 0 ? * * 2026 x", FieldExpression, ProblemFieldCount, ""},
		{"Garbage", "hello world", FieldExpression, ProblemFieldCount, ""},
		{"SecondRange", "60 0 0 * * ?", FieldSecond, ProblemOutOfRange, `second: "60" is out of range 0-59`},
		{"MinuteRange", "0 60 0 * * ?", FieldMinute, ProblemOutOfRange, `minute: "60" is out of range 0-59`},
		{"HourRange", "0 0 24 * * ?", FieldHour, ProblemOutOfRange, `hour: "24" is out of range 0-23`},
		{"DayZero", "0 0 0 0 * ?", FieldDayOfMonth, ProblemOutOfRange, `day-of-month: "0" is out of range 1-31`},
		{"Day32", "0 0 0 32 * ?", FieldDayOfMonth, ProblemOutOfRange, ""},
		{"Month13", "0 0 0 ? 13 ?", FieldMonth, ProblemOutOfRange, `month: "13" is out of range 1-12`},
		{"Weekday8", "0 0 0 ? * 8", FieldDayOfWeek, ProblemOutOfRange, `day-of-week: "8" is out of range 1-7`},
		{"Weekday0", "0 0 0 ? * 0", FieldDayOfWeek, ProblemOutOfRange, ""},
		{"BothDays", "0 0 0 * * 1", FieldDayOfWeek, ProblemBothDays, `day-of-week: "1": one of day-of-month and day-of-week must be '?'`},
		{"BothStars", "0 0 0 * * * *", FieldDayOfWeek, ProblemBothDays, ""},
		{"NoDays", "0 0 0 ? * ?", FieldDayOfWeek, ProblemNoDays, ""},
		{"QuestionInMonth", "0 0 0 ? ? ?", FieldMonth, ProblemQuestionMark, ""},
		{"QuestionInList", "0 0 0 ?,1 * ?", FieldDayOfMonth, ProblemInvalid, ""},
		{"NthTooBig", "0 0 0 ? * 6#6", FieldDayOfWeek, ProblemNthOutOfRange, `day-of-week: the number after '#' in "6#6" is out of range 1-5`},
		{"NthZero", "0 0 0 ? * 6#0", FieldDayOfWeek, ProblemNthOutOfRange, ""},
		{"NthInList", "0 0 0 ? * 6#3,2", FieldDayOfWeek, ProblemNthInList, ""},
		{"LastWeekdayInList", "0 0 0 ? * 5L,2", FieldDayOfWeek, ProblemLastInList, ""},
		{"OffsetTooBig", "0 0 0 L-31 * ?", FieldDayOfMonth, ProblemOffsetOutOfRange, `day-of-month: the offset after 'L-' in "L-31" is out of range 0-30`},
		{"OffsetMissing", "0 0 0 L- * ?", FieldDayOfMonth, ProblemInvalid, ""},
		{"WeekdayZero", "0 0 0 0W * ?", FieldDayOfMonth, ProblemOutOfRange, ""},
		{"WeekdayRange", "0 0 0 1-5W * ?", FieldDayOfMonth, ProblemInvalid, ""},
		{"LInHour", "0 0 5L * * ?", FieldHour, ProblemLastNotAllowed, `hour: "5L": 'L' is only allowed in day-of-month or day-of-week`},
		{"WInWeekday", "0 0 0 ? * 5W", FieldDayOfWeek, ProblemWeekdayNotAllow, ""},
		{"HashInDay", "0 0 0 5#2 * ?", FieldDayOfMonth, ProblemNthNotAllowed, ""},
		{"StepTooBig", "0 */60 0 * * ?", FieldMinute, ProblemStepOutOfRange, `minute: the step in "*/60" is out of range 0-59`},
		{"ValueStepTooBig", "0 0 1/24 * * ?", FieldHour, ProblemStepOutOfRange, ""},
		{"BadName", "0 0 0 ? * FOO", FieldDayOfWeek, ProblemInvalid, `day-of-week: "FOO" is not a valid value`},
		{"TrailingGarbage", "0 0 5X * * ?", FieldHour, ProblemInvalid, ""},
		{"NameInHour", "0 0 MON * * ?", FieldHour, ProblemInvalid, ""},
		{"MixedNameNumber", "0 0 0 ? * MON-5", FieldDayOfWeek, ProblemInvalid, ""},
		{"YearReversed", "0 0 0 * * ? 2030-2026", FieldYear, ProblemRangeReversed, `year: the range "2030-2026" runs backwards`},
		{"YearName", "0 0 0 * * ? JAN", FieldYear, ProblemInvalid, ""},
		{"EmptyList", "0 0 0 , * ?", FieldDayOfMonth, ProblemInvalid, ""},
		{"Negative", "0 0 -1 * * ?", FieldHour, ProblemInvalid, ""},
		{"HugeNumber", "0 0 0 * * ? 99999999999", FieldYear, ProblemInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.expr)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, want a *SyntaxError", tt.expr, err)
			}
			if se.Field != tt.field || se.Problem != tt.problem {
				t.Errorf("got field %q problem %q, want %q %q (%v)", se.Field, se.Problem, tt.field, tt.problem, err)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("Error() = %q\nwant      %q", err.Error(), tt.msg)
			}
			if se.Expr != tt.expr {
				t.Errorf("Expr = %q", se.Expr)
			}
		})
	}
}

// TestSyntaxErrorLocalisation checks the keys and data the UI localises with.
func TestSyntaxErrorLocalisation(t *testing.T) {
	_, err := Parse("0 0 0 ? * 8")
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatal(err)
	}
	if got := se.MessageID(); got != "cron_err_out_of_range" {
		t.Errorf("MessageID() = %q", got)
	}
	if got := se.FieldMessageID(); got != "cron_field_day_of_week" {
		t.Errorf("FieldMessageID() = %q", got)
	}
	d := se.TemplateData()
	if d["Field"] != "day-of-week" || d["Value"] != "8" || d["Min"] != 1 || d["Max"] != 7 || d["FieldID"] != "cron_field_day_of_week" {
		t.Errorf("TemplateData() = %v", d)
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse did not panic")
		}
	}()
	MustParse("bad")
}
