// referrers-registry serves go-containerregistry's in-memory registry with the OCI 1.1
// referrers API enabled, on the loopback address given as the only argument. It exists for
// ocikit's tests of the referrers-API path (Debian's distribution 2.8.2 has no referrers API,
// and `crane registry serve` does not enable it); it is never shipped.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: referrers-registry 127.0.0.1:PORT")
		os.Exit(2)
	}
	listener, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("serving http://%s/\n", listener.Addr())
	server := &http.Server{
		Handler:           registry.New(registry.WithReferrersSupport(true)),
		ReadHeaderTimeout: 10 * time.Second,
	}
	if err := server.Serve(listener); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
