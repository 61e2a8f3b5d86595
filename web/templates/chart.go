package templates

import (
	"math"
	"strconv"
)

// The dashboard's charts are inline SVG computed here: stacked bars per day
// and a donut of the period's totals. No script and nothing external.

const (
	plotL, plotR  = 48.0, 712.0
	plotT, plotB  = 14.0, 222.0
	donutR        = 60.0
	donutStroke   = 26.0
	classSuccess  = "c-success"
	classFail     = "c-fail"
	classRunning  = "c-running"
	maxXLabels    = 12
	chartViewBox  = "0 0 720 260"
	donutViewBox  = "0 0 160 160"
	donutCenter   = 80.0
	barMaxWidth   = 36.0
	barFill       = 0.7
	gridLines     = 4
	labelOffsetY  = 16.0
	yLabelOffsetX = 6.0
)

type barSegment struct {
	Y, H  float64
	Class string
}

type chartBar struct {
	X, W     float64
	Segments []barSegment
	Label    string
	ShowText bool
	Title    string
}

type gridLine struct {
	Y     float64
	Label string
}

type barChart struct {
	Bars  []chartBar
	Grid  []gridLine
	Empty bool
}

// niceMax rounds m up to 1, 2 or 5 times a power of ten (at least 4 so the
// four grid lines have whole numbers).
func niceMax(m int) int {
	if m <= 4 {
		return 4
	}
	p := math.Pow(10, math.Floor(math.Log10(float64(m))))
	for _, f := range []float64{1, 2, 4, 5, 10} {
		if v := f * p; v >= float64(m) && int(v)%gridLines == 0 {
			return int(v)
		}
	}
	return int(10 * p)
}

func buildBarChart(days []DayView, titleOf func(DayView) string) barChart {
	var c barChart
	top := 0
	for _, d := range days {
		if t := d.Success + d.Fail + d.Running; t > top {
			top = t
		}
	}
	c.Empty = top == 0
	scaleMax := niceMax(top)
	plotH := plotB - plotT
	for i := 0; i <= gridLines; i++ {
		v := scaleMax * i / gridLines
		c.Grid = append(c.Grid, gridLine{Y: plotB - plotH*float64(v)/float64(scaleMax), Label: strconv.Itoa(v)})
	}
	n := len(days)
	if n == 0 {
		return c
	}
	slot := (plotR - plotL) / float64(n)
	w := math.Min(barMaxWidth, slot*barFill)
	every := (n + maxXLabels - 1) / maxXLabels
	for i, d := range days {
		x := plotL + slot*float64(i) + (slot-w)/2
		bar := chartBar{X: x, W: w, Label: d.Label, ShowText: i%every == 0, Title: titleOf(d)}
		y := plotB
		for _, s := range []struct {
			v     int
			class string
		}{{d.Success, classSuccess}, {d.Fail, classFail}, {d.Running, classRunning}} {
			if s.v == 0 {
				continue
			}
			h := plotH * float64(s.v) / float64(scaleMax)
			y -= h
			bar.Segments = append(bar.Segments, barSegment{Y: y, H: h, Class: s.class})
		}
		c.Bars = append(c.Bars, bar)
	}
	return c
}

type donutSegment struct {
	Class     string
	DashArray string
	Offset    string
}

func buildDonut(success, fail, running int) (segs []donutSegment, total int) {
	total = success + fail + running
	if total == 0 {
		return nil, 0
	}
	circ := 2 * math.Pi * donutR
	done := 0.0
	for _, s := range []struct {
		v     int
		class string
	}{{success, classSuccess}, {fail, classFail}, {running, classRunning}} {
		if s.v == 0 {
			continue
		}
		l := circ * float64(s.v) / float64(total)
		segs = append(segs, donutSegment{Class: s.class, DashArray: f2(l) + " " + f2(circ-l), Offset: f2(-done)})
		done += l
	}
	return segs, total
}

func f2(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func percent(part, total int) string {
	if total == 0 {
		return "0%"
	}
	return strconv.FormatFloat(float64(part)*100/float64(total), 'f', 1, 64) + "%"
}

func sumDays(days []DayView) (success, fail, running int) {
	for _, d := range days {
		success += d.Success
		fail += d.Fail
		running += d.Running
	}
	return
}
