package cron

import (
	"testing"
	"time"
)

// benchExprs is a mix of ordinary production expressions.
var benchExprs = []string{
	"0 0 0 * * ?",
	"0 0/5 * * * ?",
	"0 15 10 ? * MON-FRI",
	"*/10 * * * * ?",
	"0 0 2 1 * ?",
	"0 30 9,12,18 * * ?",
	"0 0 12 ? * 6L",
	"0 0 8 L * ?",
	"0 0/15 9-17 ? * 2-6",
	"0 0 0 1 1 ? 2030",
}

// BenchmarkNext measures Next over benchExprs, each call starting from the
// previous fire time, as a scheduler does; every 100 fires an expression
// starts again from 2026-05-17, so the times stay in this century's range.
func BenchmarkNext(b *testing.B) {
	benchmarkNext(b, time.UTC)
}

// BenchmarkNextBerlin is BenchmarkNext in a zone with daylight saving.
func BenchmarkNextBerlin(b *testing.B) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		b.Skip(err)
	}
	benchmarkNext(b, loc)
}

func benchmarkNext(b *testing.B, loc *time.Location) {
	exprs := make([]*Expression, len(benchExprs))
	froms := make([]time.Time, len(benchExprs))
	counts := make([]int, len(benchExprs))
	start := time.Date(2026, 5, 17, 13, 14, 15, 0, time.UTC)
	for i, s := range benchExprs {
		exprs[i], froms[i] = MustParse(s), start
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		next, ok := exprs[i].Next(froms[i], loc)
		if counts[i]++; !ok || counts[i] == 100 {
			next, counts[i] = start, 0
		}
		froms[i] = next
		if i++; i == len(exprs) {
			i = 0
		}
	}
}

// BenchmarkParse measures Parse over benchExprs.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Parse(benchExprs[i]); err != nil {
			b.Fatal(err)
		}
		if i++; i == len(benchExprs) {
			i = 0
		}
	}
}
