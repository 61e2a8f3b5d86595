package main

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Prom is one scrape of the admin's /metrics: series (name plus labels,
// as printed) to value.
type Prom map[string]float64

// ParseProm reads the Prometheus text format, ignoring comments.
func ParseProm(text string) Prom {
	p := Prom{}
	for _, line := range strings.Split(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		p[line[:i]] = v
	}
	return p
}

// Delta returns after minus before for every series of after.
func (after Prom) Delta(before Prom) Prom {
	d := Prom{}
	for k, v := range after {
		d[k] = v - before[k]
	}
	return d
}

// Sum adds the series whose name (before any labels) is name.
func (p Prom) Sum(name string) float64 {
	var s float64
	for k, v := range p {
		if k == name || strings.HasPrefix(k, name+"{") {
			s += v
		}
	}
	return s
}

// Quantile estimates quantile q of histogram name from its cumulative
// buckets (the upper bound of the bucket holding the rank), NaN if empty.
func (p Prom) Quantile(name string, q float64) float64 {
	type bucket struct{ le, n float64 }
	var bs []bucket
	for k, v := range p {
		if !strings.HasPrefix(k, name+"_bucket{") {
			continue
		}
		i := strings.Index(k, `le="`)
		if i < 0 {
			continue
		}
		s := k[i+4:]
		s = s[:strings.IndexByte(s, '"')]
		le := math.Inf(1)
		if s != "+Inf" {
			le, _ = strconv.ParseFloat(s, 64)
		}
		bs = append(bs, bucket{le, v})
	}
	if len(bs) == 0 {
		return math.NaN()
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].le < bs[j].le })
	total := bs[len(bs)-1].n
	if total <= 0 {
		return math.NaN()
	}
	for _, b := range bs {
		if b.n >= q*total {
			return b.le
		}
	}
	return math.Inf(1)
}
