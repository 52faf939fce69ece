// A Go HTTP server hard-coded to the address it is given (":80", or
// "[::]:443" with -cert and -key), as Go services are: it prints what its
// listener says it has, and answers with the local port each connection
// has. With -get ADDR it is a client instead: it connects to ADDR, prints
// the peer address it sees, and the first line of the body.
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
)

func main() {
	cert := flag.String("cert", "", "certificate (PEM), for TLS")
	key := flag.String("key", "", "key (PEM), for TLS")
	get := flag.String("get", "", "connect to this address as a client")
	flag.Parse()
	if *get != "" {
		client(*get)
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
