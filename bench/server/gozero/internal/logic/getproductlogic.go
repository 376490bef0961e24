// Package logic is the go-zero peer's business logic, one file per
// operation as goctl lays it out; goctl writes the handlers that call it.
package logic

import (
	"context"

	"svcbench/gozero/internal/svc"
	"svcbench/gozero/internal/types"

	"github.com/zeromicro/go-zero/core/logx"
)

// GetProductLogic answers GET /products/:id.
type GetProductLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

// NewGetProductLogic is goctl's constructor.
func NewGetProductLogic(ctx context.Context, svcCtx *svc.ServiceContext) *GetProductLogic {
	return &GetProductLogic{
		Logger: logx.WithContext(ctx),
		ctx:    ctx,
		svcCtx: svcCtx,
	}
}

// GetProduct returns the stored product, or svc.ErrNotFound.
func (l *GetProductLogic) GetProduct(req *types.ProductRequest) (*types.Product, error) {
	p, err := l.svcCtx.Products.Get(req.ID)
	if err != nil {
		return nil, err
	}
	return &p, nil
}
