package cron

import (
	"fmt"
	"strings"
)

// Problem codes of a SyntaxError. They are stable: the UI keys its
// translations on them through SyntaxError.MessageID ("cron_err_" + code).
const (
	ProblemEmpty            = "empty"             // the expression is blank
	ProblemFieldCount       = "field_count"       // not 6 or 7 fields; Min/Max are 6/7
	ProblemInvalid          = "invalid"           // unreadable text in a field
	ProblemOutOfRange       = "out_of_range"      // a value outside Min-Max
	ProblemStepOutOfRange   = "step_out_of_range" // an increment outside Min-Max
	ProblemRangeReversed    = "range_reversed"    // a year range that runs backwards
	ProblemQuestionMark     = "question_mark"     // '?' outside the two day fields
	ProblemBothDays         = "both_days"         // neither day field is '?'
	ProblemNoDays           = "no_days"           // both day fields are '?'
	ProblemLastNotAllowed   = "l_not_allowed"     // 'L' where the field has no such option
	ProblemWeekdayNotAllow  = "w_not_allowed"     // 'W' outside day-of-month
	ProblemNthNotAllowed    = "hash_not_allowed"  // '#' outside day-of-week
	ProblemLastInList       = "last_in_list"      // day-of-week 'L' combined with other values
	ProblemNthInList        = "nth_in_list"       // day-of-week '#' combined with other values
	ProblemNthOutOfRange    = "nth_out_of_range"  // the k of "n#k" outside Min-Max (1-5)
	ProblemOffsetOutOfRange = "offset_out_of_range"
)

// Field names as they appear in SyntaxError.Field and in error messages.
const (
	FieldExpression = "expression"
	FieldSecond     = "second"
	FieldMinute     = "minute"
	FieldHour       = "hour"
	FieldDayOfMonth = "day-of-month"
	FieldMonth      = "month"
	FieldDayOfWeek  = "day-of-week"
	FieldYear       = "year"
)

// SyntaxError reports why Parse rejected an expression. Field names the
// field at fault (FieldExpression for whole-expression problems), Value is
// the offending text, Problem one of the Problem* codes, and Min/Max the
// allowed bounds for the range problems (zero otherwise).
type SyntaxError struct {
	Expr    string
	Field   string
	Value   string
	Problem string
	Min     int
	Max     int
}

// Error returns an English message that names the field and the problem,
// e.g. `day-of-week: "8" is out of range 1-7`.
func (e *SyntaxError) Error() string {
	return e.Field + ": " + e.describe()
}

func (e *SyntaxError) describe() string {
	v := fmt.Sprintf("%q", e.Value)
	switch e.Problem {
	case ProblemEmpty:
		return "the cron expression is empty"
	case ProblemFieldCount:
		return fmt.Sprintf("%s fields given; a cron expression has %d to %d fields (second minute hour day-of-month month day-of-week [year])", e.Value, e.Min, e.Max)
	case ProblemOutOfRange:
		return fmt.Sprintf("%s is out of range %d-%d", v, e.Min, e.Max)
	case ProblemStepOutOfRange:
		return fmt.Sprintf("the step in %s is out of range %d-%d", v, e.Min, e.Max)
	case ProblemRangeReversed:
		return fmt.Sprintf("the range %s runs backwards", v)
	case ProblemQuestionMark:
		return fmt.Sprintf("%s: '?' is only allowed in day-of-month or day-of-week", v)
	case ProblemBothDays:
		return fmt.Sprintf("%s: one of day-of-month and day-of-week must be '?'", v)
	case ProblemNoDays:
		return fmt.Sprintf("%s: day-of-month and day-of-week cannot both be '?'", v)
	case ProblemLastNotAllowed:
		return fmt.Sprintf("%s: 'L' is only allowed in day-of-month or day-of-week", v)
	case ProblemWeekdayNotAllow:
		return fmt.Sprintf("%s: 'W' is only allowed in day-of-month", v)
	case ProblemNthNotAllowed:
		return fmt.Sprintf("%s: '#' is only allowed in day-of-week", v)
	case ProblemLastInList:
		return fmt.Sprintf("%s: 'L' cannot be combined with other day-of-week values", v)
	case ProblemNthInList:
		return fmt.Sprintf("%s: '#' cannot be combined with other day-of-week values", v)
	case ProblemNthOutOfRange:
		return fmt.Sprintf("the number after '#' in %s is out of range %d-%d", v, e.Min, e.Max)
	case ProblemOffsetOutOfRange:
		return fmt.Sprintf("the offset after 'L-' in %s is out of range %d-%d", v, e.Min, e.Max)
	}
	return fmt.Sprintf("%s is not a valid value", v)
}

// MessageID returns the i18n key of the problem, e.g. cron_err_out_of_range.
func (e *SyntaxError) MessageID() string { return "cron_err_" + e.Problem }

// FieldMessageID returns the i18n key of the field name, e.g.
// cron_field_day_of_week, so a UI can translate TemplateData's Field.
func (e *SyntaxError) FieldMessageID() string {
	return "cron_field_" + strings.ReplaceAll(e.Field, "-", "_")
}

// TemplateData returns the values the localised message templates use:
// Field (the English field name; a UI replaces it with the translation of
// FieldMessageID), FieldID, Value, Min, Max and Expr.
func (e *SyntaxError) TemplateData() map[string]any {
	return map[string]any{
		"Field":   e.Field,
		"FieldID": e.FieldMessageID(),
		"Value":   e.Value,
		"Min":     e.Min,
		"Max":     e.Max,
		"Expr":    e.Expr,
	}
}
