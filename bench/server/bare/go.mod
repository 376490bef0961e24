module svcbench/bare

go 1.22
