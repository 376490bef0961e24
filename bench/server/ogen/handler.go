package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"svcbench/ogen/api"
)

// store implements ogen's api.Handler over an in-memory map: GET by id and
// POST create do the same work as bench/server/bare; the other operations
// answer ogen's "not implemented". ogen has already validated a create's
// body against the contract (lengths, pattern, enum, minimum) when
// CreateProduct runs.
type store struct {
	api.UnimplementedHandler
	mu    sync.RWMutex
	items map[uuid.UUID]api.Product
}

func newStore() *store { return &store{items: map[uuid.UUID]api.Product{}} }

// GetProduct answers GET /products/{id}.
func (s *store) GetProduct(_ context.Context, params api.GetProductParams) (api.GetProductRes, error) {
	s.mu.RLock()
	p, ok := s.items[params.ID]
	s.mu.RUnlock()
	if !ok {
		return &api.Problem{Type: "about:blank", Title: "Not Found", Status: http.StatusNotFound}, nil
	}
	return &p, nil
}

// CreateProduct answers POST /products.
func (s *store) CreateProduct(_ context.Context, in *api.ProductInput) (api.CreateProductRes, error) {
	id, err := uuid.NewRandom()
	if err != nil {
		return nil, fmt.Errorf("new id: %w", err)
	}
	status := api.ProductStatusActive
	if in.Status.Set {
		status = in.Status.Value
	}
	now := time.Now().UTC()
	p := api.Product{
		ID:          id,
		Name:        in.Name,
		Description: in.Description,
		Price:       in.Price,
		Currency:    in.Currency,
		Status:      status,
		Tags:        in.Tags,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	s.mu.Lock()
	s.items[id] = p
	s.mu.Unlock()
	return &p, nil
}

// NewError answers an error a handler returned, or a request ogen rejected,
// as the contract's Problem.
func (s *store) NewError(_ context.Context, err error) *api.ErrorStatusCode {
	return &api.ErrorStatusCode{
		StatusCode: http.StatusInternalServerError,
		Response:   api.Problem{Type: "about:blank", Title: "Internal Server Error", Status: http.StatusInternalServerError, Detail: api.NewOptString(err.Error())},
	}
}
