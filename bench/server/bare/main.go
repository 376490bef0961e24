// Command bare is the reference of bench/server.js: the starter's GET
// /products/{id} and POST /products on bare net/http (ServeMux,
// encoding/json, a mutex-guarded map), with no middleware. It is the
// practical limit a generated server is measured against. With -admin it also
// serves its allocation count there (admin.go), as every peer does.
package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"sync"
	"time"
)

// productInput is the body of a create.
type productInput struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Price       float64  `json:"price"`
	Currency    string   `json:"currency"`
	Status      string   `json:"status,omitempty"`
	Tags        []string `json:"tags,omitempty"`
}

// product is a stored product.
type product struct {
	ID string `json:"id"`
	productInput
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// store is the in-memory storage.
type store struct {
	mu    sync.RWMutex
	items map[string]product
}

func (s *store) get(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	p, ok := s.items[r.PathValue("id")]
	s.mu.RUnlock()
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *store) create(w http.ResponseWriter, r *http.Request) {
	var in productInput
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if in.Name == "" || in.Currency == "" || in.Price < 0 {
		http.Error(w, "name, currency and a price >= 0 are required", http.StatusBadRequest)
		return
	}
	if in.Status == "" {
		in.Status = "active"
	}
	id, err := newID()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	now := time.Now().UTC()
	p := product{ID: id, productInput: in, CreatedAt: now, UpdatedAt: now}
	s.mu.Lock()
	s.items[id] = p
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, p)
}

// newID returns a random UUID (version 4).
func newID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write answer: %v", err)
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	admin := flag.String("admin", "", "address of the allocation count for bench/server.js (none when empty)")
	flag.Parse()
	if *admin != "" {
		go serveAdmin(*admin)
	}
	s := &store{items: map[string]product{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /products/{id}", s.get)
	mux.HandleFunc("POST /products", s.create)
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
