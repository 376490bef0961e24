module svcbench/gozero

go 1.24.0

require github.com/zeromicro/go-zero v1.10.3
