// Command load drives an HTTP endpoint for bench/shedding.js and
// bench/server.js and prints one JSON line of results. Every request is the
// same: -method to -url, with -body as application/json when given.
//
// Closed loop (-workers N): N workers each send their next request as soon as
// the last is answered, for -duration; it measures the throughput the server
// can sustain. Open loop (-rate R): requests are scheduled every 1/R seconds
// whether or not earlier ones were answered, as independent clients would
// send them, and each latency is measured from its scheduled time, so that a
// server falling behind shows its queueing delay (no coordinated omission).
// At most -conns connections are open; a request waiting for one waits in
// the client, which counts in its latency. A request that cannot even be
// scheduled because -backlog requests are already waiting counts as dropped.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// result is what one run prints.
type result struct {
	Mode        string  `json:"mode"`
	Seconds     float64 `json:"seconds"`
	Scheduled   int64   `json:"scheduled"`
	OK          int64   `json:"ok"`
	Shed        int64   `json:"shed503"`
	Limited     int64   `json:"limited429"`
	OtherStatus int64   `json:"other_status"`
	Errors      int64   `json:"errors"`
	Dropped     int64   `json:"dropped"`
	Throughput  float64 `json:"ok_per_second"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	FirstError  string  `json:"first_error,omitempty"`
	// Windows split an open loop by scheduled time into -window periods.
	Windows []window `json:"windows,omitempty"`
}

// window is one period of an open loop, by the requests' scheduled time.
type window struct {
	StartS float64 `json:"start_s"`
	OK     int     `json:"ok"`
	Shed   int     `json:"shed503"`
	Other  int     `json:"other"`
	P99ms  float64 `json:"p99_ms"`
}

// sample is one answered request of an open loop.
type sample struct {
	at      time.Duration // scheduled, from the start
	status  int
	failed  bool
	latency time.Duration
}

type recorder struct {
	mu        sync.Mutex
	latencies []time.Duration // of 2xx answers only
	samples   []sample
	res       result
	firstErr  atomic.Value
}

func (r *recorder) record(status int, err error, latency time.Duration) {
	switch {
	case err != nil:
		atomic.AddInt64(&r.res.Errors, 1)
		r.firstErr.CompareAndSwap(nil, err.Error())
	case status >= 200 && status < 300:
		atomic.AddInt64(&r.res.OK, 1)
		r.mu.Lock()
		r.latencies = append(r.latencies, latency)
		r.mu.Unlock()
	case status == http.StatusServiceUnavailable:
		atomic.AddInt64(&r.res.Shed, 1)
	case status == http.StatusTooManyRequests:
		atomic.AddInt64(&r.res.Limited, 1)
	default:
		atomic.AddInt64(&r.res.OtherStatus, 1)
		r.firstErr.CompareAndSwap(nil, fmt.Sprintf("status %d", status))
	}
}

func main() {
	url := flag.String("url", "", "URL to request")
	method := flag.String("method", http.MethodGet, "HTTP method of every request")
	body := flag.String("body", "", "request body, sent as application/json (with -method POST, PUT or PATCH)")
	rate := flag.Float64("rate", 0, "open loop: requests per second")
	workers := flag.Int("workers", 0, "closed loop: concurrent workers")
	duration := flag.Duration("duration", 5*time.Second, "how long to send")
	conns := flag.Int("conns", 256, "most open connections")
	timeout := flag.Duration("timeout", 10*time.Second, "per-request timeout")
	backlog := flag.Int("backlog", 50000, "open loop: most requests waiting at once")
	windowLen := flag.Duration("window", 0, "open loop: report results per period of this length")
	flag.Parse()
	if *url == "" || (*rate <= 0) == (*workers <= 0) {
		fmt.Fprintln(os.Stderr, "load: need -url and exactly one of -rate or -workers")
		os.Exit(2)
	}
	client := &http.Client{
		Timeout: *timeout,
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxConnsPerHost:     *conns,
			MaxIdleConnsPerHost: *conns,
			IdleConnTimeout:     time.Minute,
		},
	}
	rec := &recorder{}
	start := time.Now()
	if *workers > 0 {
		rec.res.Mode = "closed"
		closedLoop(client, target{method: *method, url: *url, body: []byte(*body)}, *workers, *duration, rec)
	} else {
		rec.res.Mode = "open"
		openLoop(client, target{method: *method, url: *url, body: []byte(*body)}, *rate, *duration, *backlog, rec)
	}
	rec.res.Seconds = time.Since(start).Seconds()
	if *workers == 0 {
		// The answered throughput over the sending period, not the tail.
		rec.res.Throughput = float64(rec.res.OK) / duration.Seconds()
	} else {
		rec.res.Throughput = float64(rec.res.OK) / rec.res.Seconds
	}
	sort.Slice(rec.latencies, func(i, j int) bool { return rec.latencies[i] < rec.latencies[j] })
	rec.res.P50ms = percentile(rec.latencies, 0.50)
	rec.res.P99ms = percentile(rec.latencies, 0.99)
	rec.res.MaxMs = percentile(rec.latencies, 1)
	if *windowLen > 0 {
		rec.res.Windows = windows(rec.samples, *windowLen)
	}
	if v, ok := rec.firstErr.Load().(string); ok {
		rec.res.FirstError = v
	}
	if err := json.NewEncoder(os.Stdout).Encode(rec.res); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// target is the request every worker sends.
type target struct {
	method string
	url    string
	body   []byte // sent as application/json when not empty
}

func send(client *http.Client, t target) (int, error) {
	var body io.Reader
	if len(t.body) > 0 {
		body = bytes.NewReader(t.body)
	}
	req, err := http.NewRequest(t.method, t.url, body)
	if err != nil {
		return 0, err
	}
	if len(t.body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

func closedLoop(client *http.Client, t target, workers int, d time.Duration, rec *recorder) {
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				t0 := time.Now()
				atomic.AddInt64(&rec.res.Scheduled, 1)
				status, err := send(client, t)
				rec.record(status, err, time.Since(t0))
			}
		}()
	}
	wg.Wait()
}

func openLoop(client *http.Client, t target, rate float64, d time.Duration, backlog int, rec *recorder) {
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	total := int64(d.Seconds() * rate)
	var waiting atomic.Int64
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), d+time.Second)
	defer cancel()
	for i := int64(0); i < total; i++ {
		at := start.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
			}
		}
		rec.res.Scheduled++
		if waiting.Load() >= int64(backlog) {
			rec.res.Dropped++
			continue
		}
		waiting.Add(1)
		wg.Add(1)
		go func(at time.Time) {
			defer wg.Done()
			defer waiting.Add(-1)
			status, err := send(client, t)
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("timeout: %w", err)
			}
			latency := time.Since(at)
			rec.record(status, err, latency)
			rec.mu.Lock()
			rec.samples = append(rec.samples, sample{at: at.Sub(start), status: status, failed: err != nil, latency: latency})
			rec.mu.Unlock()
		}(at)
	}
	wg.Wait()
}

func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p * float64(len(sorted)))
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return float64(sorted[i]) / float64(time.Millisecond)
}

// windows splits samples into periods of length d by scheduled time.
func windows(samples []sample, d time.Duration) []window {
	var out []window
	var lat [][]time.Duration
	for _, s := range samples {
		i := int(s.at / d)
		for len(out) <= i {
			out = append(out, window{StartS: (time.Duration(len(out)) * d).Seconds()})
			lat = append(lat, nil)
		}
		switch {
		case s.failed:
			out[i].Other++
		case s.status >= 200 && s.status < 300:
			out[i].OK++
			lat[i] = append(lat[i], s.latency)
		case s.status == http.StatusServiceUnavailable || s.status == http.StatusTooManyRequests:
			out[i].Shed++
		default:
			out[i].Other++
		}
	}
	for i := range out {
		sort.Slice(lat[i], func(a, b int) bool { return lat[i][a] < lat[i][b] })
		out[i].P99ms = percentile(lat[i], 0.99)
	}
	return out
}
