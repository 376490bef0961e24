// Command kfake runs franz-go's in-process Kafka cluster (a real
// implementation of the Kafka protocol) as a process on one loopback port,
// for the event tests of generated services: they connect to it as to any
// Kafka broker. It prints "kfake listening on ADDR" once ready and runs
// until SIGTERM or SIGINT.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "kfake:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:9092", "host:port to listen on")
	flag.Parse()
	_, portText, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", *addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return fmt.Errorf("-addr %q: port: %w", *addr, err)
	}
	cluster, err := kfake.NewCluster(kfake.Ports(port), kfake.AllowAutoTopicCreation(), kfake.NumBrokers(1))
	if err != nil {
		return fmt.Errorf("start the cluster: %w", err)
	}
	defer cluster.Close()
	fmt.Println("kfake listening on", cluster.ListenAddrs()[0])
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	return nil
}
