package logic

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"svcbench/gozero/internal/svc"
	"svcbench/gozero/internal/types"

	"github.com/zeromicro/go-zero/core/logx"
)

// CreateProductLogic answers POST /products; go-zero's httpx.Parse has
// already checked the body against product.api's tags.
type CreateProductLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

// NewCreateProductLogic is goctl's constructor.
func NewCreateProductLogic(ctx context.Context, svcCtx *svc.ServiceContext) *CreateProductLogic {
	return &CreateProductLogic{
		Logger: logx.WithContext(ctx),
		ctx:    ctx,
		svcCtx: svcCtx,
	}
}

// CreateProduct stores a new product built from req and returns it.
func (l *CreateProductLogic) CreateProduct(req *types.ProductInput) (*types.Product, error) {
	id, err := newID()
	if err != nil {
		return nil, err
	}
	status := req.Status
	if status == "" {
		status = "active"
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	p := types.Product{
		ID:          id,
		Name:        req.Name,
		Description: req.Description,
		Price:       req.Price,
		Currency:    req.Currency,
		Status:      status,
		Tags:        req.Tags,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	l.svcCtx.Products.Put(p)
	return &p, nil
}

// newID returns a random UUID (version 4), as bench/server/bare does.
func newID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
}
