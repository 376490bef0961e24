package main

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"runtime"
	"time"
)

// serveAdmin serves, on addr, the one figure of the Go runtime that
// bench/server.js reads from every server: go_memstats_mallocs_total (the
// Prometheus Go collector's name and meaning, the count of heap objects
// allocated), so that allocations per request are measured the same way for
// the generated service and its peers. It runs until the process ends.
func serveAdmin(addr string) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		if _, err := fmt.Fprintf(w, "go_memstats_mallocs_total %d\n", m.Mallocs); err != nil {
			log.Printf("write metrics: %v", err)
		}
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Printf("admin server: %v", err)
	}
}
