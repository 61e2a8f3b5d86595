package cron

import "math/bits"

// Year bounds of the search. Quartz's documentation gives 1970-2199 for the
// year field; values outside are accepted (as Quartz does) but never fire.
const (
	minYear = 1970
	maxYear = 2199
)

// fieldKind indexes the seven fields in expression order.
type fieldKind int

const (
	kSecond fieldKind = iota
	kMinute
	kHour
	kDayOfMonth
	kMonth
	kDayOfWeek
	kYear
)

// fieldSpec describes one field: its name, the allowed values, the largest
// increment Quartz accepts after '/', and the names allowed as values.
type fieldSpec struct {
	name     string
	min, max int
	maxStep  int
	names    []string // names[i] is value min+i; nil when the field has none
	long     []string // full English names, accepted as aliases of names
}

var monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}

var monthLong = []string{"JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY",
	"AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER"}

var dayNames = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}

var dayLong = []string{"SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"}

// specs holds the seven field descriptions in expression order. The year's
// max is the largest value the parser reads; values past maxYear never fire.
var specs = [7]fieldSpec{
	kSecond:     {name: FieldSecond, min: 0, max: 59, maxStep: 59},
	kMinute:     {name: FieldMinute, min: 0, max: 59, maxStep: 59},
	kHour:       {name: FieldHour, min: 0, max: 23, maxStep: 23},
	kDayOfMonth: {name: FieldDayOfMonth, min: 1, max: 31, maxStep: 31},
	kMonth:      {name: FieldMonth, min: 1, max: 12, maxStep: 12, names: monthNames, long: monthLong},
	kDayOfWeek:  {name: FieldDayOfWeek, min: 1, max: 7, maxStep: 7, names: dayNames, long: dayLong},
	kYear:       {name: FieldYear, min: 0, max: 999999999, maxStep: 999999999},
}

// nextBit returns the lowest set bit of mask at or above from, or 64.
func nextBit(mask uint64, from int) int {
	if from >= 64 {
		return 64
	}
	return bits.TrailingZeros64(mask >> uint(from) << uint(from))
}

// yearSet is a bitset of the years minYear..maxYear.
type yearSet [4]uint64

func (s *yearSet) add(y int) {
	if y >= minYear && y <= maxYear {
		i := y - minYear
		s[i>>6] |= 1 << uint(i&63)
	}
}

// next returns the first year >= y in the set, or 0 when there is none.
func (s *yearSet) next(y int) int {
	if y < minYear {
		y = minYear
	}
	for i := y - minYear; i <= maxYear-minYear; i = (i | 63) + 1 {
		if w := s[i>>6] >> uint(i&63); w != 0 {
			return minYear + i + bits.TrailingZeros64(w)
		}
	}
	return 0
}
