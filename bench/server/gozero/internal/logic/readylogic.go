package logic

import (
	"context"

	"svcbench/gozero/internal/svc"

	"github.com/zeromicro/go-zero/core/logx"
)

// ReadyLogic answers GET /readyz, which bench/server.js polls until the
// server is up.
type ReadyLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

// NewReadyLogic is goctl's constructor.
func NewReadyLogic(ctx context.Context, svcCtx *svc.ServiceContext) *ReadyLogic {
	return &ReadyLogic{
		Logger: logx.WithContext(ctx),
		ctx:    ctx,
		svcCtx: svcCtx,
	}
}

// Ready reports the server ready: it has nothing to wait for.
func (l *ReadyLogic) Ready() error { return nil }
