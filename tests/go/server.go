// A Go HTTP server hard-coded to the address it is given (":80", or
// "[::]:443" with -cert and -key), as Go services are: it prints what its
// listener says it has, and answers with the local port each connection
// has. With -get ADDR it is a client instead: it connects to ADDR, prints
// the peer address it sees, and the first line of the body. With -storm N
// it listens on the address and closes the listener N times while it sends
// itself SIGWINCH every 50 microseconds, and counts the failures.
// Standard library only.
package main

import (
	"bufio"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	cert := flag.String("cert", "", "certificate (PEM), for TLS")
	key := flag.String("key", "", "key (PEM), for TLS")
	get := flag.String("get", "", "connect to this address as a client")
	storm := flag.Int("storm", 0, "listen and close this many times under signals")
	flag.Parse()
	if *get != "" {
		client(*get)
		return
	}
	if *storm > 0 {
		listenStorm(flag.Arg(0), *storm)
		return
	}
	l, err := net.Listen("tcp", flag.Arg(0))
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	fmt.Println("ready", l.Addr())
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		_, port, _ := net.SplitHostPort(addr.String())
		fmt.Fprintf(w, "hello from Go on port %s\n", port)
	})
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			fmt.Println("tls:", err)
			os.Exit(1)
		}
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{pair}})
	}
	http.Serve(l, handler)
}

func client(addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		fmt.Println("dial:", err)
		os.Exit(1)
	}
	fmt.Println("peer", c.RemoteAddr())
	fmt.Fprintf(c, "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			break
		}
		if line == "\r\n" {
			body, _ := r.ReadString('\n')
			fmt.Print("body ", body)
			break
		}
	}
}

func listenStorm(addr string, n int) {
	var stop, sent int32
	caught := make(chan os.Signal, 1024)
	signal.Notify(caught, syscall.SIGWINCH)
	go func() {
		for range caught {
		}
	}()
	// Aimed at the listening thread, as the runtime's preemption signals
	// are; a timer this fine would sleep for longer, so wait by spinning.
	runtime.LockOSThread()
	tid := syscall.Gettid()
	go func() {
		for atomic.LoadInt32(&stop) == 0 {
			syscall.Tgkill(os.Getpid(), tid, syscall.SIGWINCH)
			atomic.AddInt32(&sent, 1)
			for t := time.Now(); time.Since(t) < 50*time.Microsecond; {
			}
		}
	}()
	failed, first := 0, ""
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			if failed == 0 {
				first = err.Error()
			}
			failed++
			continue
		}
		l.Close()
	}
	atomic.StoreInt32(&stop, 1)
	fmt.Printf("storm listens=%d failed=%d signals=%d first=%q\n", n, failed,
		atomic.LoadInt32(&sent), first)
}
