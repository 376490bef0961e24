module svcbench/load

go 1.22
