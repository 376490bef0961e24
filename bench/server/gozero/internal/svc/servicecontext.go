// Package svc holds what the go-zero peer's logic shares: its configuration
// and the in-memory product store.
package svc

import (
	"errors"
	"sync"

	"svcbench/gozero/internal/config"
	"svcbench/gozero/internal/types"
)

// ErrNotFound is returned for an id the store does not hold.
var ErrNotFound = errors.New("product not found")

// ServiceContext is goctl's service context with the store added.
type ServiceContext struct {
	Config   config.Config
	Products *Store
}

// NewServiceContext returns a service context with an empty store.
func NewServiceContext(c config.Config) *ServiceContext {
	return &ServiceContext{Config: c, Products: &Store{items: map[string]types.Product{}}}
}

// Store is a mutex-guarded map of products by id, as in bench/server/bare.
type Store struct {
	mu    sync.RWMutex
	items map[string]types.Product
}

// Get returns the product stored under id, or ErrNotFound.
func (s *Store) Get(id string) (types.Product, error) {
	s.mu.RLock()
	p, ok := s.items[id]
	s.mu.RUnlock()
	if !ok {
		return types.Product{}, ErrNotFound
	}
	return p, nil
}

// Put stores p under its id.
func (s *Store) Put(p types.Product) {
	s.mu.Lock()
	s.items[p.ID] = p
	s.mu.Unlock()
}
