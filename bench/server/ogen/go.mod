module svcbench/ogen

go 1.26.0

require github.com/ogen-go/ogen v1.25.0
